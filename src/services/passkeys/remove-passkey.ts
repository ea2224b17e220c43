import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { recordUserEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { lockUser } from './shared.js';

/**
 * Removes one of the user's passkeys (the route requires a fresh identity confirmation). When it was the
 * last factor, MFA is off: the recovery codes go too, as they only stand in for a factor.
 */
export async function removePasskey(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  passkeyId: string,
  context: RequestContext,
): Promise<void> {
  await lockUser(tx, session.user.id);
  const removed = await tx
    .deleteFrom('mfa_factors')
    .where('id', '=', passkeyId)
    .where('user_id', '=', session.user.id)
    .where('kind', '=', 'passkey')
    .returning(['id', 'name'])
    .executeTakeFirst();
  if (!removed) throw notFound('Passkey');
  await recordUserEvent(tx, session.actor, context, 'mfa.passkey_removed', session.user.id, {
    passkeyId: removed.id,
    name: removed.name,
  });
  const remaining = await tx
    .selectFrom('mfa_factors')
    .select('id')
    .where('user_id', '=', session.user.id)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  if (!remaining) {
    await tx.deleteFrom('recovery_codes').where('user_id', '=', session.user.id).execute();
    await recordUserEvent(tx, session.actor, context, 'mfa.turned_off', session.user.id, { method: 'passkey' });
  }
}
