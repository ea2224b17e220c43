import { useQuery } from '@tanstack/react-query';
import { call, client, type DeviceStatus, type ResponseBody } from '../api';

/** One device of a user (SPEC §6), as GET /devices and GET /users/:id/devices list them. */
export type Device = ResponseBody<'/api/v1/devices', 'get'>['devices'][number];
export type DeviceKind = Device['kind'];

export type CurrentDeviceState = ResponseBody<'/api/v1/devices/current', 'get'>;
/** The device this browser is, with its mailed code's expiry and tries left while one waits. */
export type CurrentDevice = NonNullable<CurrentDeviceState['device']>;

const device = (deviceId: string) => ({ params: { path: { deviceId } } });

export const devicesApi = {
  current: () => call(() => client.GET('/api/v1/devices/current')),
  list: () => call(() => client.GET('/api/v1/devices')),
  create: (name: string) => call(() => client.POST('/api/v1/devices', { body: { name, kind: 'browser' } })),
  sendCode: () => call(() => client.POST('/api/v1/devices/current/code')),
  verify: (code: string) => call(() => client.POST('/api/v1/devices/current/verify', { body: { code } })),
  approve: (id: string) => call(() => client.POST('/api/v1/devices/{deviceId}/approve', device(id))),
  deny: (id: string) => call(() => client.POST('/api/v1/devices/{deviceId}/deny', device(id))),
  remove: (id: string) => call(() => client.DELETE('/api/v1/devices/{deviceId}', device(id))),
  listOf: (userId: string, includeRemoved = false) =>
    call(() =>
      client.GET('/api/v1/users/{userId}/devices', {
        params: { path: { userId }, query: includeRemoved ? { includeRemoved: 'true' } : {} },
      }),
    ),
  removeOf: (userId: string, id: string) =>
    call(() =>
      client.DELETE('/api/v1/users/{userId}/devices/{deviceId}', { params: { path: { userId, deviceId: id } } }),
    ),
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

/** How often the navigation and the dashboard look again for a device of yours waiting for approval. */
const WAITING_POLL_MS = 60_000;

/**
 * Your devices waiting for your approval (a sign-in elsewhere asked to be trusted), for the dashboard and
 * the navigation's badge; the same query as **My trusted devices**, so approving there clears both.
 */
export function useDevicesWaitingForApproval(): Device[] {
  const devices = useQuery({ queryKey: deviceKeys.mine, queryFn: devicesApi.list, refetchInterval: WAITING_POLL_MS });
  return (devices.data?.devices ?? []).filter((d) => d.status === 'pending_approval' && !d.approvalExpired);
}
