import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { recordEvent } from '../activity.js';
import type { AuthenticatedSession } from './authenticated-session.js';

export async function signOut(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ ended_at: sql`now()` })
    .where('id', '=', session.sessionId)
    .execute();
  await recordEvent(tx, {
    workspaceId: session.workspace.id,
    actorId: session.user.id,
    action: 'auth.signed_out',
    targetType: 'session',
    targetId: session.sessionId,
    context,
  });
}
