import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { recordUserEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { ensureNameFree, lockUser, toView, type PasskeyView } from './shared.js';

export async function renamePasskey(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  passkeyId: string,
  name: string,
  context: RequestContext,
): Promise<PasskeyView> {
  await lockUser(tx, session.user.id);
  const current = await tx
    .selectFrom('mfa_factors')
    .select('name')
    .where('id', '=', passkeyId)
    .where('user_id', '=', session.user.id)
    .where('kind', '=', 'passkey')
    .executeTakeFirst();
  if (!current) throw notFound('Passkey');
  await ensureNameFree(tx, session.user.id, name, passkeyId);
  const row = await tx
    .updateTable('mfa_factors')
    .set({ name })
    .where('id', '=', passkeyId)
    .returning(['id', 'name', 'created_at', 'last_used_at'])
    .executeTakeFirstOrThrow();
  if (current.name !== name) {
    await recordUserEvent(tx, session.actor, context, 'mfa.passkey_renamed', session.user.id, {
      passkeyId,
      from: current.name,
      to: name,
    });
  }
  return toView(row);
}
