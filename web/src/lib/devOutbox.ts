import { useQuery } from '@tanstack/react-query';
import { request } from '../api';

/** A message in the development outbox (GET /api/v1/dev/outbox; only when no SMTP server is configured). */
export interface DevOutboxMessage {
  id: string;
  to: string;
  subject: string;
  /** Null when the body is gone (a cancelled message). */
  text: string | null;
  html: string | null;
  state: 'pending' | 'sent' | 'failed' | 'cancelled';
  createdAt: string;
}

export const devOutboxKey = ['dev-outbox'] as const;

export const listDevOutbox = () => request<{ messages: DevOutboxMessage[] }>('GET', '/dev/outbox');

/**
 * The development outbox, for workspace admins. It answers 404 when mail goes out through SMTP, which
 * is how the navigation knows whether to offer the page.
 */
export function useDevOutbox(enabled: boolean, refetchInterval: number | false = false) {
  return useQuery({ queryKey: devOutboxKey, queryFn: listDevOutbox, enabled, refetchInterval });
}
