import { call, client, type RequestBody, type ResponseBody } from '../api';

/** One kind of email notification with the person's choice (SPEC §8a). */
export type NotificationPreference = ResponseBody<'/api/v1/me/notifications', 'get'>['notifications'][number];
export type NotificationChange = RequestBody<'/api/v1/me/notifications', 'put'>['notifications'][number];

export const notificationsApi = {
  list: () => call(() => client.GET('/api/v1/me/notifications')),
  update: (notifications: NotificationChange[]) =>
    call(() => client.PUT('/api/v1/me/notifications', { body: { notifications } })),
};

export const notificationsQueryKey = ['notifications', 'mine'] as const;
