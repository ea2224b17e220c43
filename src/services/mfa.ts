import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { sql, type Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import { AppError, conflict } from '../domain/errors.js';
import { base32Decode, base32Encode, generateTotpSecret, otpauthUri, verifyTotp } from '../crypto/totp.js';
import { recordUserEvent } from './activity.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from './attempts.js';
import { countUnusedRecoveryCodes, replaceRecoveryCodes, useRecoveryCode } from './recovery-codes.js';
import { recordSecondFactor, type SecondFactorMethod, type SecondFactorPurpose } from './second-factor.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';
import type { WorkspaceKeyring } from './keyring.js';

/**
 * TOTP second factor and recovery codes (SPEC §5): enrolment with a first code, verification at sign-in
 * and for **Confirm your identity**, turning TOTP off, regenerating recovery codes.
 */

const TOTP_FACTOR_NAME = 'Authenticator app';

/** Binds a sealed secret to its user and factor row: copied to another row, it fails to open. */
export function totpAssociatedData(userId: string, factorId: string): string {
  return `mfa-totp:${userId}:${factorId}`;
}

export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export async function mfaStatus(db: Kysely<Database>, userId: string): Promise<MfaStatus> {
  const factors = await db
    .selectFrom('mfa_factors')
    .select(['kind'])
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .execute();
  return {
    totp: factors.some((f) => f.kind === 'totp'),
    passkeys: factors.filter((f) => f.kind === 'passkey').length,
    recoveryCodes: await countUnusedRecoveryCodes(db, userId),
  };
}

// ---------------------------------------------------------------------------------------------------
// Problems

export const totpCodeInvalid = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Wrong authentication code',
    "That code didn't work. Enter the newest code from your authenticator app (each code works once). If it still fails, your phone's clock may be off: set it to update the time automatically.",
    [{ path: 'code', message: "That code didn't work. Check that your phone's clock is set automatically." }],
  );

export const totpCodeMalformed = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Wrong authentication code',
    'Enter the 6-digit code from your authenticator app.',
    [{ path: 'code', message: 'Enter the 6 digits your authenticator app shows.' }],
  );

export const recoveryCodeInvalid = () =>
  new AppError(
    'recovery-code-invalid',
    422,
    'Wrong recovery code',
    'That recovery code is not one of yours, or it was already used. Each recovery code works once.',
    [{ path: 'recoveryCode', message: 'Not a valid, unused recovery code.' }],
  );

export const totpNotEnabled = () =>
  new AppError(
    'totp-not-enabled',
    409,
    'No authenticator app',
    'You have no authenticator app set up. Use a passkey or a recovery code instead.',
    [{ path: 'code', message: 'You have no authenticator app set up.' }],
  );

export const noTotpEnrolment = () =>
  conflict(
    'totp-enrolment-not-started',
    'There is no authenticator app waiting to be confirmed. Start again with Turn on MFA.',
  );

/** Problems a wrong second factor produces: each counts as a failed attempt. */
export function isWrongSecondFactor(error: unknown): boolean {
  return error instanceof AppError && (error.type === 'totp-code-invalid' || error.type === 'recovery-code-invalid');
}

// ---------------------------------------------------------------------------------------------------
// Enrolment

export interface TotpEnrolment {
  /** The base32 key in groups of four, for typing into an app. */
  key: string;
  uri: string;
  /** The URI as a QR code, a PNG data: URL. */
  qrCode: string;
  /** The key already waiting for its first code (the page was reloaded, or opened elsewhere), not a new one. */
  resumed: boolean;
}

/** "ABCDEFGH…" → "ABCD EFGH …" */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function issuerFor(workspaceName: string): string {
  // Authenticator apps split the label on a colon; keep the workspace name readable without one.
  const name = workspaceName.replace(/:/g, ' ').replace(/\s+/g, ' ').trim();
  return name ? `Gatehouse (${name})` : 'Gatehouse';
}

/** Keys set aside by **Start over**, kept this long only to recognise their codes and say what happened. */
const SET_ASIDE_KEY_HOURS = 24;

/**
 * Starts a TOTP enrolment, or resumes the one waiting for its first code: reloading the page must not
 * change the key a person has already scanned. The key stays until it is confirmed or cancelled;
 * `startOver` sets it aside for a new one (the newest unconfirmed row is the one waiting; older ones are
 * kept a day, only so that a code from them can be recognised). A user who already has MFA on is changing
 * it, which needs a confirmed identity (SPEC §5: the caller checks); the new authenticator replaces the old
 * one only once its first code is confirmed.
 */
export async function startTotpEnrolment(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  session: AuthenticatedSession,
  context: RequestContext,
  { startOver = false }: { startOver?: boolean } = {},
): Promise<TotpEnrolment> {
  const userId = session.user.id;
  await tx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - ${SET_ASIDE_KEY_HOURS} * interval '1 hour'`)
    .execute();
  const waiting = await pendingTotpFactors(tx, userId);
  const current = waiting[0];
  let secret: string;
  let resumed = false;
  if (current && !startOver) {
    secret = base32Encode(await openSecret(tx, keyring, session, current));
    resumed = true;
  } else {
    const factorId = randomUUID();
    secret = generateTotpSecret();
    await tx
      .insertInto('mfa_factors')
      .values({
        id: factorId,
        user_id: userId,
        kind: 'totp',
        name: TOTP_FACTOR_NAME,
        // Sealed with the workspace's data key, so a master key rotation re-wraps it with the rest.
        totp_sealed_secret: await keyring.seal(tx, session.workspace.id, secret, totpAssociatedData(userId, factorId)),
        // Strictly after the key it sets aside, even within one transaction's now().
        created_at: current
          ? sql<Date>`greatest(now(), ${current.created_at}::timestamptz + interval '1 millisecond')`
          : sql<Date>`now()`,
      })
      .execute();
    if (current) {
      await recordUserEvent(tx, session.actor, context, 'mfa.setup_restarted', userId, { method: 'totp' });
    }
  }
  const uri = otpauthUri({ secret, accountName: session.user.email, issuer: issuerFor(session.workspace.name) });
  const qrCode = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return { key: groupKey(secret), uri, qrCode, resumed };
}

/** The user's unconfirmed TOTP keys, the one waiting for its first code first. */
function pendingTotpFactors(tx: Kysely<Database>, userId: string) {
  return tx
    .selectFrom('mfa_factors')
    .select(['id', 'totp_sealed_secret', 'created_at'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .execute();
}

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

export const totpCodeFromSetAsideKey = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Code from an earlier key',
    'That code comes from the key you set aside with Start over. Delete that entry from your authenticator app, scan the QR code shown now, and enter the new entry’s code.',
    [
      {
        path: 'code',
        message: 'That code is from the earlier key you set aside. Use the entry of the QR code shown now.',
      },
    ],
  );

async function openSecret(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  session: AuthenticatedSession,
  row: { id: string; totp_sealed_secret: string | null },
): Promise<Buffer> {
  if (!row.totp_sealed_secret) throw new Error('A TOTP factor has no secret');
  const aad = totpAssociatedData(session.user.id, row.id);
  return base32Decode(await keyring.open(tx, session.workspace.id, row.totp_sealed_secret, aad));
}

/** Digits only: people type "123 456" as often as "123456". */
export function normalizeTotpCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

export interface ConfirmedTotp {
  /** The ten new recovery codes when TOTP is the user's first factor, to be shown once; otherwise null. */
  recoveryCodes: string[] | null;
}

/**
 * Confirms the pending enrolment with its first code. On success the factor is on, its step is spent,
 * any earlier authenticator is replaced, and the session counts as having passed a second factor.
 */
export async function confirmTotpEnrolment(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  code: string,
  context: RequestContext,
): Promise<ConfirmedTotp> {
  const userId = session.user.id;
  const [pending, ...setAside] = await pendingTotpFactors(tx, userId);
  if (!pending) throw noTotpEnrolment();
  const timeMs = deps.clock.now();
  const typed = normalizeTotpCode(code);
  const result = verifyTotp(await openSecret(tx, deps.keyring, session, pending), typed, {
    timeMs,
    lastUsedStep: null,
  });
  if (!result.ok) {
    if (result.reason === 'format') throw totpCodeMalformed();
    for (const earlier of setAside) {
      const fromEarlier = verifyTotp(await openSecret(tx, deps.keyring, session, earlier), typed, {
        timeMs,
        lastUsedStep: null,
      });
      if (fromEarlier.ok) throw totpCodeFromSetAsideKey();
    }
    throw totpCodeInvalid();
  }

  const existing = await tx
    .selectFrom('mfa_factors')
    .select(['id', 'kind'])
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .forUpdate()
    .execute();
  const replaced = existing.filter((f) => f.kind === 'totp');
  if (replaced.length > 0) {
    await tx
      .deleteFrom('mfa_factors')
      .where(
        'id',
        'in',
        replaced.map((f) => f.id),
      )
      .execute();
  }
  await tx
    .updateTable('mfa_factors')
    .set({ confirmed_at: sql`now()`, last_used_at: sql`now()`, totp_last_step: result.step })
    .where('id', '=', pending.id)
    .execute();
  if (setAside.length > 0) {
    await tx
      .deleteFrom('mfa_factors')
      .where(
        'id',
        'in',
        setAside.map((f) => f.id),
      )
      .execute();
  }
  const firstFactor = existing.length === 0;
  const recoveryCodes = firstFactor ? await replaceRecoveryCodes(tx, userId) : null;
  await recordUserEvent(tx, session.actor, context, 'mfa.turned_on', userId, {
    method: 'totp',
    replacedPrevious: replaced.length > 0,
  });
  await recordSecondFactor(tx, deps.clock, session, 'totp', 'identity', context);
  return { recoveryCodes };
}

// ---------------------------------------------------------------------------------------------------
// Verification

export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Checks a TOTP code (replay refused: the step is stored) or spends a recovery code. Throws a
 * totp-code-invalid / recovery-code-invalid problem when it is wrong. Run inside a transaction: the
 * factor row (or the codes) are locked, so the same code cannot pass twice in parallel.
 */
export async function verifySecondFactor(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  context: RequestContext,
): Promise<SecondFactorMethod> {
  const userId = session.user.id;
  if ('recoveryCode' in proof) {
    const remaining = await useRecoveryCode(tx, userId, proof.recoveryCode);
    if (remaining === null) throw recoveryCodeInvalid();
    await recordUserEvent(tx, session.actor, context, 'mfa.recovery_code_used', userId, { remaining });
    return 'recovery_code';
  }
  const code = normalizeTotpCode(proof.code);
  if (!/^\d{6}$/.test(code)) throw totpCodeMalformed();
  const factor = await tx
    .selectFrom('mfa_factors')
    .select(['id', 'totp_sealed_secret', 'totp_last_step'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is not', null)
    .forUpdate()
    .executeTakeFirst();
  if (!factor) throw totpNotEnabled();
  const result = verifyTotp(await openSecret(tx, deps.keyring, session, factor), code, {
    timeMs: deps.clock.now(),
    lastUsedStep: factor.totp_last_step === null ? null : Number(factor.totp_last_step),
  });
  if (!result.ok) throw totpCodeInvalid();
  await tx
    .updateTable('mfa_factors')
    .set({ totp_last_step: result.step, last_used_at: sql`now()` })
    .where('id', '=', factor.id)
    .execute();
  return 'totp';
}

/** Verifies a code or recovery code and records the pass; for sign-in, returns the session's new token. */
export async function passSecondFactor(
  tx: Kysely<Database>,
  deps: SecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  purpose: SecondFactorPurpose,
  context: RequestContext,
): Promise<string | undefined> {
  const method = await verifySecondFactor(tx, deps, session, proof, context);
  return recordSecondFactor(tx, deps.clock, session, method, purpose, context);
}

/** What a second-factor check reads: the workspace keys (sealed TOTP secrets) and the time (its steps). */
export interface SecondFactorDeps {
  keyring: WorkspaceKeyring;
  clock: Clock;
}

export interface CountedSecondFactorDeps extends SecondFactorDeps {
  /** The check runs in a transaction of its own; a wrong answer is recorded in another (it must commit). */
  unitOfWork: UnitOfWork;
  attempts: AttemptLimiter;
}

/**
 * Every second-factor check is counted (SPEC §2): the attempt is reserved before the check, so parallel
 * guesses cannot get more checks than the limit, and a wrong code counts as a failure.
 */
function countedSecondFactor<T>(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  context: RequestContext,
  what: { method: 'totp' | 'recovery_code'; purpose: SecondFactorPurpose | 'enrolment' },
  check: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return withCountedAttempt(
    deps,
    'second-factor',
    { user: session.user.id, ip: context.ip },
    () => deps.unitOfWork.run(check),
    {
      isWrongAnswer: isWrongSecondFactor,
      lockoutEvent: lockoutOfSignedInUser(session, context),
      onFailure: (tx, lockout) =>
        recordUserEvent(tx, session.actor, context, 'auth.second_factor_failed', session.user.id, {
          ...what,
          ...(lockout ? { lockoutSeconds: Math.ceil(lockout.lockoutMs / 1000) } : {}),
        }),
    },
  );
}

const methodOf = (proof: SecondFactorProof): 'totp' | 'recovery_code' => ('code' in proof ? 'totp' : 'recovery_code');

/** **Turn on MFA**, last step: the first code of the new authenticator app, counted as a second-factor attempt. */
export function finishTotpEnrolment(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  code: string,
  context: RequestContext,
): Promise<ConfirmedTotp> {
  return countedSecondFactor(deps, session, context, { method: 'totp', purpose: 'enrolment' }, (tx) =>
    confirmTotpEnrolment(tx, deps, session, code, context),
  );
}

/** A code or recovery code, for sign-in or **Confirm your identity**, counted as a second-factor attempt. */
export function answerSecondFactor(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  proof: SecondFactorProof,
  purpose: SecondFactorPurpose,
  context: RequestContext,
): Promise<string | undefined> {
  return countedSecondFactor(deps, session, context, { method: methodOf(proof), purpose }, (tx) =>
    passSecondFactor(tx, deps, session, proof, purpose, context),
  );
}

export interface SecondFactorMethods {
  totp: boolean;
  passkey: boolean;
  recoveryCode: boolean;
}

/** What the verification page may offer this user. */
export async function secondFactorMethods(db: Kysely<Database>, userId: string): Promise<SecondFactorMethods> {
  const status = await mfaStatus(db, userId);
  return { totp: status.totp, passkey: status.passkeys > 0, recoveryCode: status.recoveryCodes > 0 };
}

// ---------------------------------------------------------------------------------------------------
// Turning off, regenerating

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

export async function regenerateRecoveryCodes(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<string[]> {
  const codes = await replaceRecoveryCodes(tx, session.user.id);
  await recordUserEvent(tx, session.actor, context, 'mfa.recovery_codes_regenerated', session.user.id, {
    count: codes.length,
  });
  return codes;
}
