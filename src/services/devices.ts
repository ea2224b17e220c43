import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { sql, type Kysely } from 'kysely';
import type { Database, Device, DeviceKind } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import { AppError, conflict, forbidden, notFound } from '../domain/errors.js';
import {
  approvalExpiry,
  canBeDecided,
  DEVICE_CODE_DIGITS,
  DEVICE_CODE_MAX_TRIES,
  DEVICE_CODE_RESEND_INTERVAL_MS,
  DEVICE_CODE_TTL_MS,
  initialDeviceStatus,
  isLiveStatus,
  LIVE_DEVICE_STATUSES,
  MAX_LIVE_DEVICES,
  suggestDeviceName,
} from '../domain/devices.js';
import { deviceIsTrusted } from '../domain/assurance.js';
import { deriveKey } from '../crypto/seal.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { deviceCodeMail, deviceTrustedMail } from '../mail/templates.js';
import { clientAppName } from '../domain/client-apps.js';
import { recordEvent } from './activity.js';
import { notifyDeviceWaiting } from './notifications.js';
import { ensureClientAppApproved } from './client-apps.js';
import { lockoutOfSignedInUser, withCountedAttempt, type AttemptLimiter } from './attempts.js';
import type { AuthenticatedSession } from './sessions.js';
import { isUniqueViolation } from './users.js';

/**
 * Trusted sessions (SPEC §6). A device is one client of one user (a browser, later an extension or a
 * command-line install) holding a random secret; the server keeps only the secret's hash. A session is
 * trusted while the device it presents is approved and its approval has not run out; resolveSession
 * works that out on every request, so every change here holds from the next request on.
 */

/**
 * The master key (device code hashes, mail), the app's keyring (mail), the clock (code expiry, approvals)
 * and the public URL (the link to My trusted devices in the notice that a device was trusted).
 */
export interface DeviceDeps extends MailKeys {
  clock: Clock;
  publicUrl: URL;
}

export interface DeviceView {
  id: string;
  name: string;
  kind: DeviceKind;
  status: Device['status'];
  createdAt: string;
  lastSeenAt: string | null;
  approvedUntil: string | null;
  /** Approved, but the approval ran out: the device must be verified or approved again. */
  approvalExpired: boolean;
  /** The device the request came from. */
  current: boolean;
}

export interface CurrentDeviceView extends DeviceView {
  /** While a code is outstanding: when it stops working, and how many tries it has left. */
  code: { expiresAt: string; triesLeft: number } | null;
}

export interface CurrentDeviceState {
  device: CurrentDeviceView | null;
  /** The name the server suggests for a new device from this client (`{username} {browser} - {OS}`). */
  suggestedName: string;
  /** The user has an approved device elsewhere: a new device waits for approval there. */
  hasTrustedDevice: boolean;
}

// ----- problems ---------------------------------------------------------------------------------------

export const deviceLimitReached = () =>
  new AppError(
    'device-limit-reached',
    409,
    'Too many devices',
    `You already have ${MAX_LIVE_DEVICES} trusted or pending devices. Remove one on My trusted devices first.`,
  );

const deviceNameTaken = (name: string) =>
  conflict('device-name-taken', `You already have a device named "${name}". Choose another name.`, [
    { path: 'name', message: 'You already have a device with this name.' },
  ]);

const deviceAlreadyRegistered = (name: string) =>
  conflict(
    'device-already-registered',
    `This client is already set up as "${name}". Remove it on My trusted devices to set it up again.`,
  );

const noCurrentDevice = () =>
  new AppError(
    'device-not-registered',
    409,
    'No device set up',
    'This client is not set up as a device yet. Set up a trusted session first.',
  );

const codeNotSent = () =>
  new AppError(
    'device-code-not-sent',
    409,
    'No code sent',
    "No code was sent for this device. Choose I don't have access to my trusted device to get one by email.",
  );

const codeExpired = () =>
  new AppError('device-code-expired', 410, 'Code expired', 'This code has expired. Send a new code and try again.');

const codeExhausted = () =>
  new AppError(
    'device-code-exhausted',
    429,
    'Too many wrong codes',
    `This code was tried ${DEVICE_CODE_MAX_TRIES} times and no longer works. Send a new code.`,
  );

export const wrongDeviceCode = (triesLeft: number) =>
  new AppError(
    'device-code-wrong',
    422,
    'Wrong code',
    triesLeft > 0
      ? `That code is not right. ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.`
      : `That code is not right, and this code no longer works. Send a new code.`,
    [{ path: 'code', message: 'That code is not right.' }],
  );

const codeRecentlySent = (waitMs: number) => {
  const error = new AppError(
    'device-code-recently-sent',
    429,
    'Code just sent',
    `A code was sent less than ${DEVICE_CODE_RESEND_INTERVAL_MS / 1000} seconds ago. Check your email, or try again shortly.`,
  );
  error.retryAfterMs = waitMs;
  return error;
};

const notPending = () => conflict('device-not-pending', 'This device is not waiting for approval any more.');

export const othersDevicesForbidden = () =>
  forbidden(
    "Only the workspace owner and admins, and a guest's host admins, can see or remove someone else's devices.",
  );

export const alreadyRemoved = () => conflict('device-already-removed', 'This device was already removed.');

const trustedSessionNeeded = () =>
  new AppError(
    'trusted-session-required',
    403,
    'Your current session is not secure',
    'Approve or deny a device from one of your own trusted devices.',
  );

// ----- helpers ----------------------------------------------------------------------------------------

/** The stored form of a device code: keyed by the master key and bound to the device, never in clear. */
export function deviceCodeHash(masterKey: Buffer, deviceId: string, code: string): string {
  return createHmac('sha256', deriveKey(masterKey, 'device-code')).update(`${deviceId}:${code}`).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

function newCode(): string {
  return String(randomInt(0, 10 ** DEVICE_CODE_DIGITS)).padStart(DEVICE_CODE_DIGITS, '0');
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toDeviceView(device: Device, currentDeviceId: string | null, now: number): DeviceView {
  const approvedUntil = device.approved_until;
  return {
    id: device.id,
    name: device.name,
    kind: device.kind,
    status: device.status,
    createdAt: device.created_at.toISOString(),
    lastSeenAt: iso(device.last_seen_at),
    approvedUntil: device.status === 'approved' ? iso(approvedUntil) : null,
    approvalExpired: device.status === 'approved' && !deviceIsTrusted({ status: device.status, approvedUntil }, now),
    current: device.id === currentDeviceId,
  };
}

export function toCurrentDeviceView(device: Device, now: number): CurrentDeviceView {
  const outstanding =
    device.status === 'pending_verification' && device.code_hash !== null && device.code_expires_at !== null;
  return {
    ...toDeviceView(device, device.id, now),
    code: outstanding
      ? {
          expiresAt: device.code_expires_at!.toISOString(),
          triesLeft: Math.max(0, DEVICE_CODE_MAX_TRIES - device.code_attempts),
        }
      : null,
  };
}

export async function hasTrustedDevice(
  db: Kysely<Database>,
  clock: Clock,
  userId: string,
  exceptDeviceId?: string,
): Promise<boolean> {
  let query = db
    .selectFrom('devices')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'approved')
    .where('approved_until', '>', new Date(clock.now()));
  if (exceptDeviceId) query = query.where('id', '<>', exceptDeviceId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

export async function liveDeviceNames(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('devices')
    .select('name')
    .where('user_id', '=', userId)
    .where('status', 'not in', ['removed', 'denied'])
    .execute();
  return rows.map((row) => row.name);
}

export async function approvalDays(db: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('workspaces')
    .select('device_approval_days')
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return row.device_approval_days;
}

/** The session's own device row, locked for the rest of the transaction. */
async function lockCurrentDevice(tx: Kysely<Database>, session: AuthenticatedSession): Promise<Device> {
  const deviceId = session.assurance.device?.id;
  if (!deviceId) throw noCurrentDevice();
  const device = await tx
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .where('user_id', '=', session.user.id)
    .forUpdate()
    .executeTakeFirst();
  if (!device || device.status === 'removed') throw noCurrentDevice();
  return device;
}

export function deviceEvent(
  session: { workspaceId: string; actorId: string | null },
  context: RequestContext,
  action: string,
  device: Pick<Device, 'id' | 'name' | 'user_id'>,
  details: Record<string, unknown> = {},
) {
  return {
    workspaceId: session.workspaceId,
    actorId: session.actorId,
    action,
    targetType: 'device',
    targetId: device.id,
    context,
    details: { userId: device.user_id, name: device.name, ...details },
  };
}

const actorOf = (session: AuthenticatedSession) => ({ workspaceId: session.workspace.id, actorId: session.user.id });

/** Mails a fresh code for the device and records it; the code itself goes only into the sealed mail. */
export async function issueCode(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  device: Device,
  deps: DeviceDeps,
  context: RequestContext,
): Promise<void> {
  const code = newCode();
  await tx
    .updateTable('devices')
    .set({
      status: 'pending_verification',
      code_hash: deviceCodeHash(deps.masterKey, device.id, code),
      code_expires_at: new Date(deps.clock.now() + DEVICE_CODE_TTL_MS),
      code_attempts: 0,
      updated_at: sql`now()`,
    })
    .where('id', '=', device.id)
    .execute();
  const mail = deviceCodeMail({
    workspaceName: session.workspace.name,
    deviceName: device.name,
    code,
    validMinutes: DEVICE_CODE_TTL_MS / 60_000,
    ip: context.ip,
  });
  await enqueueMail(tx, deps, {
    workspaceId: session.workspace.id,
    kind: 'device-code',
    to: session.user.email,
    ...mail,
  });
  await recordEvent(tx, deviceEvent(actorOf(session), context, 'device.code_sent', device));
}

/**
 * SPEC §2a: the person is told, in the transaction that trusts it, that a device of theirs became trusted
 * (verified by the mailed code, approved from another device, or connected from a trusted session), with
 * its name, kind, time and the address it was set up from; a stranger's device does not go unnoticed.
 */
export async function queueDeviceTrustedMail(
  tx: Kysely<Database>,
  deps: Pick<DeviceDeps, 'masterKey' | 'keyring' | 'clock' | 'publicUrl'>,
  device: Pick<Device, 'user_id' | 'workspace_id' | 'name' | 'kind' | 'ip'>,
): Promise<void> {
  const person = await tx
    .selectFrom('users as u')
    .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
    .select(['u.email', 'u.display_name', 'w.name as workspace_name'])
    .where('u.id', '=', device.user_id)
    .executeTakeFirstOrThrow();
  const mail = deviceTrustedMail({
    workspaceName: person.workspace_name,
    displayName: person.display_name,
    deviceName: device.name,
    kindName: device.kind === 'browser' ? 'web browser' : clientAppName(device.kind),
    trustedAt: new Date(deps.clock.now()),
    ip: device.ip,
    devicesUrl: new URL('/app/devices', deps.publicUrl).toString(),
  });
  await enqueueMail(tx, deps, { workspaceId: device.workspace_id, kind: 'device-trusted', to: person.email, ...mail });
}

// ----- the signed-in user's own devices ---------------------------------------------------------------

export async function getCurrentDeviceState(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
  userAgent: string | null,
): Promise<CurrentDeviceState> {
  const deviceId = session.assurance.device?.id;
  const device = deviceId
    ? await db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst()
    : undefined;
  return {
    device: device ? toCurrentDeviceView(device, clock.now()) : null,
    suggestedName: suggestDeviceName(session.user.username, userAgent, await liveDeviceNames(db, session.user.id)),
    hasTrustedDevice: await hasTrustedDevice(db, clock, session.user.id, deviceId),
  };
}

export async function listOwnDevices(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
  includeRemoved: boolean,
): Promise<DeviceView[]> {
  return listDevices(db, clock, session.user.id, session.assurance.device?.id ?? null, includeRemoved);
}

export async function listDevices(
  db: Kysely<Database>,
  clock: Clock,
  userId: string,
  currentDeviceId: string | null,
  includeRemoved: boolean,
): Promise<DeviceView[]> {
  let query = db.selectFrom('devices').selectAll().where('user_id', '=', userId);
  if (!includeRemoved) query = query.where('status', '<>', 'removed');
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
  const now = clock.now();
  return rows.map((row) => toDeviceView(row, currentDeviceId, now));
}

export interface NewDeviceInput {
  name: string;
  kind: DeviceKind;
}

/**
 * Adds a device for a user, within SPEC §6's limits (20 live devices, a name unique among them). The
 * caller holds the user's row lock (so the limits hold under parallel requests) and records the event.
 */
export async function insertDevice(
  tx: Kysely<Database>,
  owner: { workspaceId: string; userId: string; name: string; kind: DeviceKind },
  state: {
    status: Device['status'];
    secretHash: string;
    now: number;
    context: RequestContext;
    approvedUntil?: Date;
    decidedByDeviceId?: string;
  },
): Promise<Device> {
  const live = await tx
    .selectFrom('devices')
    .select(({ fn }) => fn.countAll<string>().as('count'))
    .where('user_id', '=', owner.userId)
    .where('status', 'in', [...LIVE_DEVICE_STATUSES])
    .executeTakeFirstOrThrow();
  if (Number(live.count) >= MAX_LIVE_DEVICES) throw deviceLimitReached();
  const taken = await liveDeviceNames(tx, owner.userId);
  if (taken.some((name) => name.toLowerCase() === owner.name.toLowerCase())) throw deviceNameTaken(owner.name);
  return tx
    .insertInto('devices')
    .values({
      workspace_id: owner.workspaceId,
      user_id: owner.userId,
      name: owner.name,
      kind: owner.kind,
      status: state.status,
      secret_hash: state.secretHash,
      approved_until: state.approvedUntil ?? null,
      decided_by_device_id: state.decidedByDeviceId ?? null,
      last_seen_at: new Date(state.now),
      ip: state.context.ip,
      user_agent: state.context.userAgent,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw deviceNameTaken(owner.name);
      throw error;
    });
}

/**
 * Set up a trusted session: registers the client as a new device of the signed-in user, if the workspace
 * approves its kind (SPEC §7a). Returns the device and its secret (for the cookie, or for a non-browser
 * client to keep); only the hash is stored.
 */
export async function createDevice(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  input: NewDeviceInput,
  deps: DeviceDeps,
  context: RequestContext,
): Promise<{ device: CurrentDeviceView; secret: string }> {
  const userId = session.user.id;
  await ensureClientAppApproved(tx, session.workspace.id, input.kind);
  // One registration at a time per user, so that the limit and the name rule hold under parallel requests.
  await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
  const current = session.assurance.device;
  if (current && isLiveStatus(current.status)) {
    const row = await tx.selectFrom('devices').select('status').where('id', '=', current.id).executeTakeFirst();
    if (row && isLiveStatus(row.status)) throw deviceAlreadyRegistered(current.name);
  }
  const status = initialDeviceStatus(await hasTrustedDevice(tx, deps.clock, userId));
  const secret = randomToken();
  const device = await insertDevice(
    tx,
    { workspaceId: session.workspace.id, userId, ...input },
    {
      status,
      secretHash: hashToken(secret),
      now: deps.clock.now(),
      context,
    },
  );
  await recordEvent(
    tx,
    deviceEvent(actorOf(session), context, 'device.created', device, { kind: device.kind, status }),
  );
  if (status === 'pending_verification') await issueCode(tx, session, device, deps, context);
  // A device waiting for its emailed code has that mail as its notice; one waiting for approval gets this.
  else await notifyDeviceWaiting(tx, device);
  const saved = await tx.selectFrom('devices').selectAll().where('id', '=', device.id).executeTakeFirstOrThrow();
  return { device: toCurrentDeviceView(saved, deps.clock.now()), secret };
}

/**
 * Mails a (new) code for the current device: **I don't have access to my trusted device**, a resend,
 * or re-verifying a device whose approval ran out. The device waits for the code from then on.
 */
export async function sendDeviceCode(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  deps: DeviceDeps,
  context: RequestContext,
): Promise<CurrentDeviceView> {
  const device = await lockCurrentDevice(tx, session);
  const expiredApproval =
    device.status === 'approved' &&
    !deviceIsTrusted({ status: device.status, approvedUntil: device.approved_until }, deps.clock.now());
  if (device.status !== 'pending_approval' && device.status !== 'pending_verification' && !expiredApproval) {
    throw device.status === 'approved'
      ? conflict('device-already-trusted', 'This device is already trusted.')
      : conflict('device-denied', 'This device was denied. Set up a trusted session again to ask anew.');
  }
  if (device.code_expires_at) {
    const sentAt = device.code_expires_at.getTime() - DEVICE_CODE_TTL_MS;
    const wait = sentAt + DEVICE_CODE_RESEND_INTERVAL_MS - deps.clock.now();
    if (device.status === 'pending_verification' && wait > 0) throw codeRecentlySent(wait);
  }
  await issueCode(tx, session, device, deps, context);
  const saved = await tx.selectFrom('devices').selectAll().where('id', '=', device.id).executeTakeFirstOrThrow();
  return toCurrentDeviceView(saved, deps.clock.now());
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

/**
 * **Approve** / **Deny** a pending device, from a trusted session of the same user (enforced here,
 * whatever the client shows).
 */
export async function decideDevice(
  tx: Kysely<Database>,
  deps: Pick<DeviceDeps, 'masterKey' | 'keyring' | 'clock' | 'publicUrl'>,
  session: AuthenticatedSession,
  deviceId: string,
  decision: 'approve' | 'deny',
  context: RequestContext,
): Promise<DeviceView> {
  const approver = session.assurance.device;
  if (!approver || !session.assurance.trusted) throw trustedSessionNeeded();
  const device = await tx
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .where('user_id', '=', session.user.id)
    .forUpdate()
    .executeTakeFirst();
  if (!device) throw notFound('Device', 'You have no such device.');
  if (!canBeDecided(device.status)) throw notPending();
  const now = deps.clock.now();
  const approvedUntil =
    decision === 'approve' ? approvalExpiry(now, await approvalDays(tx, session.workspace.id)) : null;
  const saved = await tx
    .updateTable('devices')
    .set({
      status: decision === 'approve' ? 'approved' : 'denied',
      approved_until: approvedUntil,
      decided_by_device_id: approver.id,
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
    deviceEvent(actorOf(session), context, decision === 'approve' ? 'device.approved' : 'device.denied', device, {
      byDeviceId: approver.id,
      byDeviceName: approver.name,
      ...(approvedUntil ? { approvedUntil: approvedUntil.toISOString() } : {}),
    }),
  );
  if (decision === 'approve') await queueDeviceTrustedMail(tx, deps, saved);
  return toDeviceView(saved, approver.id, now);
}
