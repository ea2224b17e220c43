import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Device } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { RequestContext } from '../../domain/actor.js';
import { deriveKey } from '../../crypto/seal.js';
import type { MailKeys } from '../../mail/outbox.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { noCurrentDevice } from './device-problems.js';

/**
 * Trusted sessions (SPEC §6). A device is one client of one user (a browser, later an extension or a
 * command-line install) holding a random secret; the server keeps only the secret's hash. A session is
 * trusted while the device it presents is approved and its approval has not run out; resolveSession
 * works that out on every request, so every change here holds from the next request on.
 *
 * One use case per file in this folder (create-device, send-code, verify-code, decide-device, list-devices;
 * trusted-mail is the notice that a device became trusted; device-removal.ts removes devices); this one
 * holds what they share.
 */

/**
 * The master key (device code hashes, mail), the app's keyring (mail), the clock (code expiry, approvals)
 * and the public URL (the link to My trusted devices in the notice that a device was trusted).
 */
export interface DeviceDeps extends MailKeys {
  clock: Clock;
  publicUrl: URL;
}

/** The stored form of a device code: keyed by the master key and bound to the device, never in clear. */
export function deviceCodeHash(masterKey: Buffer, deviceId: string, code: string): string {
  return createHmac('sha256', deriveKey(masterKey, 'device-code')).update(`${deviceId}:${code}`).digest('hex');
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
export async function lockCurrentDevice(tx: Kysely<Database>, session: AuthenticatedSession): Promise<Device> {
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

export const actorOf = (session: AuthenticatedSession) => ({
  workspaceId: session.workspace.id,
  actorId: session.user.id,
});
