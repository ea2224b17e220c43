import { notifications } from '@mantine/notifications';

/**
 * A short success message. Toasts use role="status" so they never compete with
 * the page's error alerts (role="alert").
 */
export function toastSuccess(message: string): void {
  notifications.show({ message, color: 'teal', role: 'status', autoClose: 4000 });
}
