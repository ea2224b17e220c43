import type { Kysely } from 'kysely';
import type { Clock } from '../../domain/clock.js';
import type { Database } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { SecondFactorPurpose } from '../second-factor.js';
import { passkeyChallengeExpired } from './passkey-problems.js';

/** How long a WebAuthn challenge stays usable: one ceremony, not a standing credential. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** What the browser gives the user to answer the authenticator's prompt (the challenge outlives it). */
export const CEREMONY_TIMEOUT_MS = 2 * 60 * 1000;

/**
 * Which ceremony a stored challenge was issued for. Stored with it, so a challenge issued to add a passkey
 * cannot finish a sign-in, and one issued for identity confirmation cannot finish the verification page.
 */
export type Ceremony = 'registration' | SecondFactorPurpose;

export async function storeChallenge(
  db: Kysely<Database>,
  clock: Clock,
  sessionId: string,
  ceremony: Ceremony,
  challenge: string,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({
      webauthn_challenge: `${ceremony}:${challenge}`,
      webauthn_challenge_expires_at: new Date(clock.now() + PASSKEY_CHALLENGE_TTL_MS),
    })
    .where('id', '=', sessionId)
    .execute();
}

/**
 * Takes the session's pending challenge and clears it in a transaction of its own, committed whatever the
 * outcome of the check that follows: a challenge answers one ceremony, once. Throws when none is waiting
 * for this ceremony or it has expired.
 */
export async function takeChallenge(
  unitOfWork: UnitOfWork,
  clock: Clock,
  sessionId: string,
  ceremony: Ceremony,
): Promise<string> {
  const pending = await unitOfWork.run(async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .select(['webauthn_challenge', 'webauthn_challenge_expires_at'])
      .where('id', '=', sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (row?.webauthn_challenge) {
      await tx
        .updateTable('sessions')
        .set({ webauthn_challenge: null, webauthn_challenge_expires_at: null })
        .where('id', '=', sessionId)
        .execute();
    }
    return row;
  });
  const stored = pending?.webauthn_challenge;
  const expiresAt = pending?.webauthn_challenge_expires_at;
  const prefix = `${ceremony}:`;
  if (!stored || !stored.startsWith(prefix) || !expiresAt || expiresAt.getTime() <= clock.now()) {
    throw passkeyChallengeExpired();
  }
  return stored.slice(prefix.length);
}
