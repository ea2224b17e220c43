import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { recordUserEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';

/** **Cancel** on **Turn on MFA**: drops the key waiting for its first code (and any set aside before it). */
export async function cancelTotpEnrolment(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<void> {
  const userId = session.user.id;
  const dropped = await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .returning('id')
    .execute();
  if (dropped.length > 0)
    await recordUserEvent(tx, session.actor, context, 'mfa.setup_cancelled', userId, { method: 'totp' });
}
