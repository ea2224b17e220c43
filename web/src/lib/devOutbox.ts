import { useQuery } from '@tanstack/react-query';
import { call, client, type ResponseBody } from '../api';

/** A message in the development outbox (GET /api/v1/dev/outbox; only when no SMTP server is configured). */
export type DevOutboxMessage = ResponseBody<'/api/v1/dev/outbox', 'get'>['messages'][number];

export const devOutboxKey = ['dev-outbox'] as const;

export const listDevOutbox = () => call(() => client.GET('/api/v1/dev/outbox'));

/**
 * The development outbox, for workspace admins. It answers 404 when mail goes out through SMTP, which
 * is how the navigation knows whether to offer the page.
 */
export function useDevOutbox(enabled: boolean, refetchInterval: number | false = false) {
  return useQuery({ queryKey: devOutboxKey, queryFn: listDevOutbox, enabled, refetchInterval });
}
