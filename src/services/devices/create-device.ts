import type { Kysely } from 'kysely';
import type { Database, Device, DeviceKind } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { initialDeviceStatus, isLiveStatus, LIVE_DEVICE_STATUSES, MAX_LIVE_DEVICES } from '../../domain/devices.js';
import { hashToken, randomToken } from '../../crypto/tokens.js';
import { recordEvent } from '../activity.js';
import { ensureClientAppApproved } from '../client-apps.js';
import { notifyDeviceWaiting } from '../notifications.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { isUniqueViolation } from '../users.js';
import { deviceAlreadyRegistered, deviceLimitReached, deviceNameTaken } from './device-problems.js';
import { toCurrentDeviceView, type CurrentDeviceView } from './device-views.js';
import { issueCode } from './send-code.js';
import { actorOf, deviceEvent, hasTrustedDevice, liveDeviceNames, type DeviceDeps } from './shared.js';

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
