import { request, type DeviceStatus } from '../api';

export type DeviceKind = 'browser' | 'extension' | 'cli';

/** One device of a user (SPEC §6), as GET /devices and GET /users/:id/devices list them. */
export interface Device {
  id: string;
  name: string;
  kind: DeviceKind;
  status: DeviceStatus;
  createdAt: string;
  lastSeenAt: string | null;
  approvedUntil: string | null;
  /** Approved, but the approval ran out: it must be verified or approved again. */
  approvalExpired: boolean;
  /** The device this browser is. */
  current: boolean;
}

export interface CurrentDevice extends Device {
  /** While a mailed code waits: when it stops working and how many tries it has left. */
  code: { expiresAt: string; triesLeft: number } | null;
}

export interface CurrentDeviceState {
  device: CurrentDevice | null;
  /** `{username} {browser} - {OS}`, numbered when taken. */
  suggestedName: string;
  hasTrustedDevice: boolean;
}

const seg = encodeURIComponent;

export const devicesApi = {
  current: () => request<CurrentDeviceState>('GET', '/devices/current'),
  list: () => request<{ devices: Device[] }>('GET', '/devices'),
  create: (name: string) => request<{ device: CurrentDevice }>('POST', '/devices', { name, kind: 'browser' }),
  sendCode: () => request<CurrentDevice>('POST', '/devices/current/code'),
  verify: (code: string) => request<CurrentDevice>('POST', '/devices/current/verify', { code }),
  approve: (id: string) => request<Device>('POST', `/devices/${seg(id)}/approve`),
  deny: (id: string) => request<Device>('POST', `/devices/${seg(id)}/deny`),
  remove: (id: string) => request<void>('DELETE', `/devices/${seg(id)}`),
  listOf: (userId: string, includeRemoved = false) =>
    request<{ devices: Device[] }>(
      'GET',
      `/users/${seg(userId)}/devices${includeRemoved ? '?includeRemoved=true' : ''}`,
    ),
  removeOf: (userId: string, id: string) => request<void>('DELETE', `/users/${seg(userId)}/devices/${seg(id)}`),
};

export const deviceKeys = {
  current: ['devices', 'current'] as const,
  mine: ['devices', 'mine'] as const,
  of: (userId: string) => ['devices', 'of', userId] as const,
};

export const deviceStatusLabel: Record<DeviceStatus, string> = {
  pending_verification: 'Waiting for code',
  pending_approval: 'Waiting for approval',
  approved: 'Trusted',
  denied: 'Denied',
  removed: 'Removed',
};

export const deviceStatusColor: Record<DeviceStatus, string> = {
  pending_verification: 'yellow',
  pending_approval: 'yellow',
  approved: 'teal',
  denied: 'red',
  removed: 'gray',
};

export const deviceKindLabel: Record<DeviceKind, string> = {
  browser: 'Browser',
  extension: 'Browser extension',
  cli: 'Command line',
};

/** The status as people read it: an approval that ran out reads as such, not as "Trusted". */
export function deviceStatusText(device: Pick<Device, 'status' | 'approvalExpired'>): string {
  return device.approvalExpired ? 'Approval expired' : deviceStatusLabel[device.status];
}

export function deviceStatusBadgeColor(device: Pick<Device, 'status' | 'approvalExpired'>): string {
  return device.approvalExpired ? 'orange' : deviceStatusColor[device.status];
}
