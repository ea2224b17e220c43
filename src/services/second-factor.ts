import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { recordUserEvent } from './activity.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';
/** 'sign-in' finishes the verification page; 'identity' is **Confirm your identity** (SPEC §5). */
export type SecondFactorPurpose = 'sign-in' | 'identity';

/**
 * Records that this session just passed a second factor. Both purposes set the identity confirmation
 * (a factor used at sign-in is as fresh as one used a minute later). Passing the sign-in step raises the
 * session's privilege, so its token is replaced: whoever held the old one holds nothing now.
 * Returns the new session token for sign-in, undefined for identity confirmation.
 */
export async function recordSecondFactor(
  tx: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
  method: SecondFactorMethod,
  purpose: SecondFactorPurpose,
  context: RequestContext,
): Promise<string | undefined> {
  const token = purpose === 'sign-in' ? randomToken() : undefined;
  const now = new Date(clock.now());
  await tx
    .updateTable('sessions')
    .set({
      second_factor_at: sql<Date>`coalesce(second_factor_at, ${now})`,
      identity_confirmed_at: now,
      ...(token ? { token_hash: hashToken(token) } : {}),
    })
    .where('id', '=', session.sessionId)
    .execute();
  await recordUserEvent(
    tx,
    session.actor,
    context,
    purpose === 'sign-in' ? 'auth.second_factor_passed' : 'auth.identity_confirmed',
    session.user.id,
    { method },
  );
  return token;
}
