import { timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Device } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { RequestContext } from '../../domain/actor.js';
import type { Clock } from '../../domain/clock.js';
import { conflict, type AppError } from '../../domain/errors.js';
import { approvalExpiry, DEVICE_CODE_MAX_TRIES } from '../../domain/devices.js';
import { recordEvent } from '../activity.js';
import type { AttemptLimiter } from '../attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from '../attempts.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { codeExhausted, codeExpired, codeNotSent, noCurrentDevice, wrongDeviceCode } from './device-problems.js';
import { toCurrentDeviceView, type CurrentDeviceView } from './device-views.js';
import { actorOf, approvalDays, deviceCodeHash, deviceEvent, lockCurrentDevice, type DeviceDeps } from './shared.js';
import { queueDeviceTrustedMail } from './trusted-mail.js';

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks, without counting a try, that the current device has a live code to try: so that a dead code
 * says so plainly and costs no attempt against the user's lockout counter.
 */
export async function ensureCodeCanBeTried(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
): Promise<void> {
  const deviceId = session.assurance.device?.id;
  if (!deviceId) throw noCurrentDevice();
  const device = await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!device || device.status === 'removed') throw noCurrentDevice();
  checkCodeState(device, clock.now());
}

function checkCodeState(device: Device, now: number): void {
  if (device.status === 'approved' && device.approved_until && device.approved_until.getTime() > now) {
    throw conflict('device-already-trusted', 'This device is already trusted.');
  }
  if (device.status !== 'pending_verification' || !device.code_hash || !device.code_expires_at) throw codeNotSent();
  if (device.code_attempts >= DEVICE_CODE_MAX_TRIES) throw codeExhausted();
  if (device.code_expires_at.getTime() <= now) throw codeExpired();
}

/**
 * **Verify code** as the user does it: a dead code is refused without costing an attempt; otherwise the
 * try is counted per user and per address before the check, so parallel guesses cannot slip past the
 * limit. A code that was not checked after all (it ran out or was replaced meanwhile) gives it back.
 */
export async function submitDeviceCode(
  unitOfWork: UnitOfWork,
  attempts: AttemptLimiter,
  session: AuthenticatedSession,
  code: string,
  deps: DeviceDeps,
  context: RequestContext,
): Promise<CurrentDeviceView> {
  await ensureCodeCanBeTried(unitOfWork.db, deps.clock, session);
  let wrongCode: AppError | undefined;
  return withCountedAttempt(
    { unitOfWork, attempts },
    'device-code',
    { user: session.user.id, ip: context.ip },
    async () => {
      // The wrong try's count commits with this transaction; the refusal is thrown after it.
      const result = await unitOfWork.run((tx) => verifyDeviceCode(tx, session, code, deps, context));
      if (result.ok) return result.device;
      wrongCode = wrongDeviceCode(result.triesLeft);
      throw wrongCode;
    },
    {
      isWrongAnswer: (error) => error !== undefined && error === wrongCode,
      lockoutEvent: lockoutOfSignedInUser(session, context),
    },
  );
}

export type CodeCheck = { ok: true; device: CurrentDeviceView } | { ok: false; triesLeft: number };

/**
 * **Verify code**: a right code approves the device for the workspace's approval lifetime; a wrong one
 * uses up one of the code's tries, and that count commits (the caller throws after the transaction).
 */
export async function verifyDeviceCode(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  code: string,
  deps: DeviceDeps,
  context: RequestContext,
): Promise<CodeCheck> {
  const device = await lockCurrentDevice(tx, session);
  checkCodeState(device, deps.clock.now());
  if (!sameHash(deviceCodeHash(deps.masterKey, device.id, code), device.code_hash!)) {
    const updated = await tx
      .updateTable('devices')
      .set({ code_attempts: sql`code_attempts + 1`, updated_at: sql`now()` })
      .where('id', '=', device.id)
      .returning('code_attempts')
      .executeTakeFirstOrThrow();
    const triesLeft = Math.max(0, DEVICE_CODE_MAX_TRIES - updated.code_attempts);
    await recordEvent(tx, deviceEvent(actorOf(session), context, 'device.code_failed', device, { triesLeft }));
    return { ok: false, triesLeft };
  }
  const days = await approvalDays(tx, session.workspace.id);
  const approvedUntil = approvalExpiry(deps.clock.now(), days);
  const saved = await tx
    .updateTable('devices')
    .set({
      status: 'approved',
      approved_until: approvedUntil,
      code_hash: null,
      code_expires_at: null,
      code_attempts: 0,
      updated_at: sql`now()`,
    })
    .where('id', '=', device.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(
    tx,
    deviceEvent(actorOf(session), context, 'device.verified', device, {
      method: 'email_code',
      approvedUntil: approvedUntil.toISOString(),
    }),
  );
  await queueDeviceTrustedMail(tx, deps, saved);
  return { ok: true, device: toCurrentDeviceView(saved, deps.clock.now()) };
}
