import { sql, type Kysely } from 'kysely';
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../../domain/clock.js';
import type { Database } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { RequestContext } from '../../domain/actor.js';
import { AppError, conflict } from '../../domain/errors.js';
import { recordUserEvent } from '../activity.js';
import type { AttemptLimiter } from '../attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from '../attempts.js';
import { recordSecondFactor, type SecondFactorPurpose } from '../second-factor.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { CEREMONY_TIMEOUT_MS, storeChallenge, takeChallenge } from './challenges.js';
import { noPasskeys, passkeyNotVerified } from './passkey-problems.js';
import type { RelyingParty } from './relying-party.js';
import { userPasskeys } from './shared.js';

/**
 * A session still on the verification page may only finish it (confirming an identity the session has
 * not yet proved would let it skip the sign-in step without a new token); one past it has nothing to finish.
 */
function ensurePurposeFits(session: AuthenticatedSession, purpose: SecondFactorPurpose): void {
  if (purpose === 'sign-in' && !session.pending.secondFactor) {
    throw conflict('second-factor-not-pending', 'This session has already passed its second factor.');
  }
  if (purpose === 'identity' && session.pending.secondFactor) {
    throw new AppError(
      'second-factor-required',
      403,
      'Verification required',
      'Finish signing in first: use the passkey to sign in.',
    );
  }
}

/** Step 1 of **Use a passkey** (verification page, or **Confirm your identity**). */
export async function startPasskeyAuthentication(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
  rp: RelyingParty,
  purpose: SecondFactorPurpose,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  ensurePurposeFits(session, purpose);
  const passkeys = await userPasskeys(db, session.user.id);
  if (passkeys.length === 0) throw noPasskeys();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((passkey) => ({ id: passkey.credential_id!, transports: passkey.transports })),
    userVerification: 'preferred',
    timeout: CEREMONY_TIMEOUT_MS,
  });
  await storeChallenge(db, clock, session.sessionId, purpose, options.challenge);
  return options;
}

/**
 * Step 2 of **Use a passkey**: checks the signed answer against the stored challenge and the user's own
 * credential. Counted as a second-factor attempt (per user and per address). Returns the new session
 * token for 'sign-in', undefined for 'identity'. The assertion is verified outside any transaction; the
 * pass is written in one, a wrong answer in another (withCountedAttempt).
 */
export async function finishPasskeyAuthentication(
  { unitOfWork, attempts, clock }: { unitOfWork: UnitOfWork; attempts: AttemptLimiter; clock: Clock },
  session: AuthenticatedSession,
  rp: RelyingParty,
  input: { purpose: SecondFactorPurpose; response: AuthenticationResponseJSON },
  context: RequestContext,
): Promise<string | undefined> {
  ensurePurposeFits(session, input.purpose);
  const challenge = await takeChallenge(unitOfWork, clock, session.sessionId, input.purpose);
  const notVerified = passkeyNotVerified();
  let refusedPasskeyId = '';
  // A failed check or write before the answer (the database failed) gives the reserved attempt back.
  return withCountedAttempt(
    { unitOfWork, attempts },
    'second-factor',
    { user: session.user.id, ip: context.ip },
    async () => {
      const { passkeyId, newCounter } = await checkAssertion(
        unitOfWork.db,
        session.user.id,
        rp,
        challenge,
        input.response,
      );
      if (newCounter === null) {
        refusedPasskeyId = passkeyId;
        throw notVerified;
      }
      return unitOfWork.run(async (tx) => {
        await tx
          .updateTable('mfa_factors')
          .set({ sign_count: newCounter, last_used_at: sql`now()` })
          .where('id', '=', passkeyId)
          .execute();
        return recordSecondFactor(tx, clock, session, 'passkey', input.purpose, context);
      });
    },
    {
      isWrongAnswer: (error) => error === notVerified,
      lockoutEvent: lockoutOfSignedInUser(session, context),
      onFailure: (tx, lockout) =>
        recordUserEvent(tx, session.actor, context, 'auth.second_factor_failed', session.user.id, {
          method: 'passkey',
          purpose: input.purpose,
          reason: refusedPasskeyId ? 'not_verified' : 'unknown_credential',
          ...(lockout ? { lockoutSeconds: Math.ceil(lockout.lockoutMs / 1000) } : {}),
        }),
    },
  );
}

/**
 * Verifies an assertion against the user's own credential with that id. newCounter is null when the
 * answer is refused (no such credential for this user, or any verification failure); passkeyId is empty
 * when the credential is not this user's.
 */
async function checkAssertion(
  db: Kysely<Database>,
  userId: string,
  rp: RelyingParty,
  challenge: string,
  response: AuthenticationResponseJSON,
): Promise<{ passkeyId: string; newCounter: number | null }> {
  const passkey = await db
    .selectFrom('mfa_factors')
    .select(['id', 'credential_id', 'public_key', 'sign_count', 'transports'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .where('credential_id', '=', response.id)
    .executeTakeFirst();
  if (!passkey) return { passkeyId: '', newCounter: null };
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credential_id!,
        publicKey: new Uint8Array(Buffer.from(passkey.public_key!, 'base64url')),
        counter: Number(passkey.sign_count),
        transports: passkey.transports,
      },
      // A second factor after the password: the key's presence is the factor; a PIN or biometric is a bonus.
      requireUserVerification: false,
    });
    return { passkeyId: passkey.id, newCounter: verified.verified ? verified.authenticationInfo.newCounter : null };
  } catch {
    // @simplewebauthn/server throws on every malformed or mismatched answer: all are a refused answer.
    return { passkeyId: passkey.id, newCounter: null };
  }
}
