import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { recordUserEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';

/** Turns TOTP off (any pending enrolment too). With no factor left, the recovery codes go as well. */
export async function turnOffTotp(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<void> {
  const userId = session.user.id;
  const removed = await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .returning(['id', 'confirmed_at'])
    .execute();
  if (!removed.some((f) => f.confirmed_at !== null)) {
    throw conflict('totp-not-enabled', 'You have no authenticator app to turn off.');
  }
  const remaining = await tx
    .selectFrom('mfa_factors')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const remainingFactors = Number(remaining.n);
  if (remainingFactors === 0) await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await recordUserEvent(tx, session.actor, context, 'mfa.turned_off', userId, { method: 'totp', remainingFactors });
}
