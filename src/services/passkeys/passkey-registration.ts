import type { Kysely } from 'kysely';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../../domain/clock.js';
import type { Database } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { RequestContext } from '../../domain/actor.js';
import { recordUserEvent } from '../activity.js';
import { replaceRecoveryCodes } from '../recovery-codes.js';
import { isUniqueViolation } from '../users.js';
import { recordSecondFactor } from '../second-factor.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { CEREMONY_TIMEOUT_MS, storeChallenge, takeChallenge } from './challenges.js';
import { passkeyAlreadyRegistered, passkeyNotVerified } from './passkey-problems.js';
import type { RelyingParty } from './relying-party.js';
import { ensureNameFree, lockUser, toView, userPasskeys, type PasskeyView } from './shared.js';

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** WebAuthn's user handle: the user's id as 16 bytes. Stable for the user, and no personal data. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));
}

/**
 * Step 1 of **Add a passkey**: the options for navigator.credentials.create(). When the user already has
 * MFA, adding a factor is changing it: the caller checks the identity confirmation first (SPEC §5).
 */
export async function startPasskeyRegistration(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
  rp: RelyingParty,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await userPasskeys(db, session.user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandle(session.user.id),
    userName: session.user.username,
    userDisplayName: session.user.display_name,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credential_id!, transports: passkey.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await storeChallenge(db, clock, session.sessionId, 'registration', options.challenge);
  return options;
}

export interface PasskeyAdded {
  passkey: PasskeyView;
  /** The ten recovery codes, in clear, when this passkey turned MFA on; null otherwise. */
  recoveryCodes: string[] | null;
}

/**
 * Step 2 of **Add a passkey**: verifies the authenticator's answer and stores the new factor. The
 * challenge is taken (and committed) first; the answer is verified outside any transaction.
 */
export async function finishPasskeyRegistration(
  unitOfWork: UnitOfWork,
  clock: Clock,
  session: AuthenticatedSession,
  rp: RelyingParty,
  input: { name: string; response: RegistrationResponseJSON },
  context: RequestContext,
): Promise<PasskeyAdded> {
  // Checked again under the lock below; checking first as well keeps the challenge for a second try.
  await ensureNameFree(unitOfWork.db, session.user.id, input.name);
  const challenge = await takeChallenge(unitOfWork, clock, session.sessionId, 'registration');
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // A second factor after the password: the key's presence is the factor; a PIN or biometric is a bonus.
      requireUserVerification: false,
    });
  } catch {
    throw passkeyNotVerified();
  }
  if (!verified.verified) throw passkeyNotVerified();
  const { credential } = verified.registrationInfo;
  const transports = (credential.transports ?? input.response.response.transports ?? []).filter((t) =>
    TRANSPORTS.has(t),
  );

  try {
    return await unitOfWork.run(async (tx) => {
      await lockUser(tx, session.user.id);
      await ensureNameFree(tx, session.user.id, input.name);
      const taken = await tx
        .selectFrom('mfa_factors')
        .select('id')
        .where('credential_id', '=', credential.id)
        .executeTakeFirst();
      if (taken) throw passkeyAlreadyRegistered();
      const factors = await tx
        .selectFrom('mfa_factors')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', session.user.id)
        .where('confirmed_at', 'is not', null)
        .executeTakeFirstOrThrow();
      const firstFactor = Number(factors.n) === 0;
      const row = await tx
        .insertInto('mfa_factors')
        .values({
          user_id: session.user.id,
          kind: 'passkey',
          name: input.name,
          credential_id: credential.id,
          public_key: Buffer.from(credential.publicKey).toString('base64url'),
          sign_count: credential.counter,
          transports,
          confirmed_at: new Date(clock.now()),
        })
        .returning(['id', 'name', 'created_at', 'last_used_at'])
        .executeTakeFirstOrThrow();
      await recordUserEvent(tx, session.actor, context, 'mfa.passkey_added', session.user.id, {
        passkeyId: row.id,
        name: row.name,
      });
      let recoveryCodes: string[] | null = null;
      if (firstFactor) {
        recoveryCodes = await replaceRecoveryCodes(tx, session.user.id);
        await recordUserEvent(tx, session.actor, context, 'mfa.turned_on', session.user.id, { method: 'passkey' });
        // The user just proved the new factor in this session: it counts as passed, so no verification
        // page appears on the next request, and as a fresh identity confirmation.
        await recordSecondFactor(tx, clock, session, 'passkey', 'identity', context);
      }
      return { passkey: toView(row), recoveryCodes };
    });
  } catch (error) {
    // Two users registering one credential at the same moment: the unique index on credential_id decides.
    if (isUniqueViolation(error)) throw passkeyAlreadyRegistered();
    throw error;
  }
}
