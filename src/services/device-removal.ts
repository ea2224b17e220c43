import { sql, type Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import { devicePolicy } from '../domain/policies/devices.js';
import { memberPolicy } from '../domain/policies/members.js';
import { recordEvent } from './activity.js';
import { alreadyRemoved, othersDevicesForbidden } from './devices/device-problems.js';
import type { DeviceView } from './devices/device-views.js';
import { listDevices } from './devices/list-devices.js';
import { deviceEvent } from './devices/shared.js';

/**
 * Removing devices (SPEC §6): by their user, by an admin (workspace admins, and host admins for their
 * partners' guests), and all of a user's at once when the user is deactivated or removed.
 */

async function ownerStanding(db: Kysely<Database>, actor: Actor, ownerId: string) {
  const noSuchUser = () => notFound('User', 'There is no such user in this workspace.');
  // Who may not see the workspace's people (guests) is not told whether another one exists: 404, not 403.
  if (actor.userId !== ownerId && !memberPolicy.list(actor)) throw noSuchUser();
  const owner = await db
    .selectFrom('users')
    .select(['id', 'kind'])
    .where('id', '=', ownerId)
    .where('workspace_id', '=', actor.workspaceId)
    .executeTakeFirst();
  if (!owner) throw noSuchUser();
  const hosts =
    owner.kind === 'guest' && actor.userId !== ownerId
      ? await db
          .selectFrom('partner_members as guest')
          .innerJoin('partner_members as host', 'host.partner_id', 'guest.partner_id')
          .select('host.user_id')
          .where('guest.user_id', '=', ownerId)
          .where('guest.role', 'in', ['guest_admin', 'guest_user'])
          .where('host.user_id', '=', actor.userId)
          .where('host.role', '=', 'host_admin')
          .executeTakeFirst()
      : undefined;
  return { actor, ownerId, actorHostsOwner: hosts !== undefined };
}

/** A user's devices, for the user themself, workspace admins and the host admins of a guest. */
export async function listDevicesOf(
  db: Kysely<Database>,
  clock: Clock,
  actor: Actor,
  ownerId: string,
  includeRemoved: boolean,
): Promise<DeviceView[]> {
  const standing = await ownerStanding(db, actor, ownerId);
  if (!devicePolicy.listOf(standing)) throw othersDevicesForbidden();
  return listDevices(db, clock, ownerId, null, includeRemoved);
}

/**
 * **Remove**: final. The record stays (status removed) and its secret no longer matches anything, so
 * the client is out at its next request; the same browser may register again as a new device.
 */
export async function removeDevice(
  tx: Kysely<Database>,
  actor: Actor,
  ownerId: string,
  deviceId: string,
  context: RequestContext,
): Promise<void> {
  const standing = await ownerStanding(tx, actor, ownerId);
  if (!devicePolicy.removeOf(standing)) throw othersDevicesForbidden();
  const device = await tx
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .where('user_id', '=', ownerId)
    .forUpdate()
    .executeTakeFirst();
  if (!device) throw notFound('Device', 'There is no such device.');
  if (device.status === 'removed') throw alreadyRemoved();
  await markRemoved(tx, [device.id]);
  await recordEvent(
    tx,
    deviceEvent({ workspaceId: actor.workspaceId, actorId: actor.userId }, context, 'device.removed', device, {
      by: actor.userId === ownerId ? 'owner' : 'admin',
      previousStatus: device.status,
    }),
  );
}

async function markRemoved(tx: Kysely<Database>, deviceIds: string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await tx
    .updateTable('devices')
    .set({
      status: 'removed',
      removed_at: sql`now()`,
      code_hash: null,
      code_expires_at: null,
      updated_at: sql`now()`,
    })
    .where('id', 'in', deviceIds)
    .execute();
}

export interface DeviceRemovalAudit {
  workspaceId: string;
  actorId: string | null;
  context: RequestContext;
  /** Why, e.g. `guest_removed`, `partner_removed`, `invitation_revoked`. */
  reason: string;
}

/** A deactivated or removed user loses every device (SPEC §6), each recorded as removed. */
export async function removeAllDevicesOf(
  tx: Kysely<Database>,
  userId: string,
  audit: DeviceRemovalAudit,
): Promise<void> {
  const devices = await tx
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '<>', 'removed')
    .forUpdate()
    .execute();
  await markRemoved(
    tx,
    devices.map((device) => device.id),
  );
  for (const device of devices) {
    await recordEvent(
      tx,
      deviceEvent(audit, audit.context, 'device.removed', device, {
        by: 'deactivation',
        reason: audit.reason,
        previousStatus: device.status,
      }),
    );
  }
}
