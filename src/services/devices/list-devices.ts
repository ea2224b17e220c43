import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import { suggestDeviceName } from '../../domain/devices.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { toCurrentDeviceView, toDeviceView, type CurrentDeviceView, type DeviceView } from './device-views.js';
import { hasTrustedDevice, liveDeviceNames } from './shared.js';

export interface CurrentDeviceState {
  device: CurrentDeviceView | null;
  /** The name the server suggests for a new device from this client (`{username} {browser} - {OS}`). */
  suggestedName: string;
  /** The user has an approved device elsewhere: a new device waits for approval there. */
  hasTrustedDevice: boolean;
}

/** The signed-in user's current device (with its outstanding code), the suggested name for a new one. */
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
