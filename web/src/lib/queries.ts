import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../api';

export const queryKeys = {
  setup: ['setup'] as const,
  session: ['session'] as const,
  workspace: (slug: string) => ['workspace', slug] as const,
  members: ['members'] as const,
  activity: ['activity'] as const,
};

export function useSetupStatus() {
  return useQuery({ queryKey: queryKeys.setup, queryFn: api.getSetup });
}

export function useSession(enabled = true) {
  return useQuery({ queryKey: queryKeys.session, queryFn: api.getSession, enabled });
}

export function useWorkspace(slug: string) {
  return useQuery({ queryKey: queryKeys.workspace(slug), queryFn: () => api.getWorkspace(slug) });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
