import type { Device, DeviceKind } from '../../db/schema.js';
import { deviceIsTrusted } from '../../domain/assurance.js';
import { DEVICE_CODE_MAX_TRIES } from '../../domain/devices.js';

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
