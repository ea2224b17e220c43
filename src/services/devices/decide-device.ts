import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RequestContext } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { approvalExpiry, canBeDecided } from '../../domain/devices.js';
import { recordEvent } from '../activity.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { notPending, trustedSessionNeeded } from './device-problems.js';
import { toDeviceView, type DeviceView } from './device-views.js';
import { actorOf, approvalDays, deviceEvent, type DeviceDeps } from './shared.js';
import { queueDeviceTrustedMail } from './trusted-mail.js';

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
