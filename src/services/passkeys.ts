import { sql, type Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Database, MfaFactor } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import { AppError, conflict, notFound } from '../domain/errors.js';
import { recordUserEvent } from './activity.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from './attempts.js';
import { replaceRecoveryCodes } from './recovery-codes.js';
import { isUniqueViolation } from './users.js';
import { recordSecondFactor, type SecondFactorPurpose } from './second-factor.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';

/** How long a WebAuthn challenge stays usable: one ceremony, not a standing credential. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** What the browser gives the user to answer the authenticator's prompt (the challenge outlives it). */
const CEREMONY_TIMEOUT_MS = 2 * 60 * 1000;

/** The relying party the browser and authenticator bind every credential to: this server's public URL. */
export interface RelyingParty {
  /** The RP ID: the public URL's host name (WebAuthn refuses IP addresses). */
  id: string;
  /** The exact origin the browser must report in clientDataJSON. */
  origin: string;
  name: string;
}

export function relyingPartyFor(publicUrl: URL): RelyingParty {
  return { id: publicUrl.hostname, origin: publicUrl.origin, name: 'Gatehouse' };
}

/**
 * Which ceremony a stored challenge was issued for. Stored with it, so a challenge issued to add a passkey
 * cannot finish a sign-in, and one issued for identity confirmation cannot finish the verification page.
 */
type Ceremony = 'registration' | SecondFactorPurpose;

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export const passkeyChallengeExpired = () =>
  new AppError(
    'passkey-challenge-expired',
    400,
    'Passkey request expired',
    'No passkey request is waiting for this session, or it has expired (they last 5 minutes and can be used once). Start again.',
  );

export const passkeyNotVerified = () =>
  new AppError(
    'passkey-not-verified',
    400,
    'Passkey not accepted',
    'The passkey or security key answer could not be verified. Try again, or use another passkey.',
  );

export const noPasskeys = () =>
  new AppError(
    'no-passkeys',
    409,
    'No passkeys',
    'You have no passkeys or security keys. Use your authentication code or a recovery code instead.',
  );

const passkeyNameTaken = () =>
  conflict('passkey-name-taken', 'You already have a passkey with this name. Choose another name.', [
    { path: 'name', message: 'You already have a passkey with this name.' },
  ]);

const passkeyAlreadyRegistered = () =>
  conflict(
    'passkey-already-registered',
    'This passkey or security key is already registered. Use another one, or remove the old registration first.',
  );

function toView(row: Pick<MfaFactor, 'id' | 'name' | 'created_at' | 'last_used_at'>): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

/** WebAuthn's user handle: the user's id as 16 bytes. Stable for the user, and no personal data. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));
}

async function storeChallenge(
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
async function takeChallenge(
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

async function userPasskeys(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('mfa_factors')
    .select(['id', 'credential_id', 'transports'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .orderBy('created_at')
    .execute();
}

/** Locks the user's row: factor changes for one user (add, rename, remove) happen one at a time. */
async function lockUser(tx: Kysely<Database>, userId: string): Promise<void> {
  await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

async function ensureNameFree(tx: Kysely<Database>, userId: string, name: string, exceptId?: string) {
  let query = tx
    .selectFrom('mfa_factors')
    .select('id')
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw passkeyNameTaken();
}

export async function listPasskeys(db: Kysely<Database>, userId: string): Promise<PasskeyView[]> {
  const rows = await db
    .selectFrom('mfa_factors')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .orderBy('created_at')
    .execute();
  return rows.map(toView);
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
