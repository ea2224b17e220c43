import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Device } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { deviceIsTrusted } from '../../domain/assurance.js';
import { conflict } from '../../domain/errors.js';
import { DEVICE_CODE_DIGITS, DEVICE_CODE_RESEND_INTERVAL_MS, DEVICE_CODE_TTL_MS } from '../../domain/devices.js';
import { enqueueMail } from '../../mail/outbox.js';
import { deviceCodeMail } from '../../mail/templates.js';
import { recordEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { codeRecentlySent } from './device-problems.js';
import { toCurrentDeviceView, type CurrentDeviceView } from './device-views.js';
import { actorOf, deviceCodeHash, deviceEvent, lockCurrentDevice, type DeviceDeps } from './shared.js';

function newCode(): string {
  return String(randomInt(0, 10 ** DEVICE_CODE_DIGITS)).padStart(DEVICE_CODE_DIGITS, '0');
}

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
