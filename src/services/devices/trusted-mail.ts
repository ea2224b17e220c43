import type { Kysely } from 'kysely';
import type { Database, Device } from '../../db/schema.js';
import { clientAppName } from '../../domain/client-apps.js';
import { enqueueMail } from '../../mail/outbox.js';
import { deviceTrustedMail } from '../../mail/templates.js';
import type { DeviceDeps } from './shared.js';

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
