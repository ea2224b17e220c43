import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../api';

export const queryKeys = {
  setup: ['setup'] as const,
  session: ['session'] as const,
  workspace: (slug: string) => ['workspace', slug] as const,
  members: ['members'] as const,
  activity: ['activity'] as const,
  passwordPolicy: ['password-policy'] as const,
  currentTerms: ['terms', 'current'] as const,
  termsVersions: ['terms', 'versions'] as const,
  partners: ['partners'] as const,
  partner: (id: string) => ['partners', id] as const,
  partnerMember: (id: string, userId: string) => ['partners', id, 'members', userId] as const,
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

/** The workspace's own people (GET /members): only for those who may call it (not guests). */
export function useWorkspaceMembers(enabled = true) {
  return useQuery({ queryKey: queryKeys.members, queryFn: api.listMembers, enabled });
}

export function usePartner(partnerId: string) {
  return useQuery({ queryKey: queryKeys.partner(partnerId), queryFn: () => api.getPartner(partnerId) });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** The problem types the server answers with while a first-sign-in step is still due. */
export function isFirstSignInGate(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 403 &&
    (error.problem.type.endsWith('/password-change-required') ||
      error.problem.type.endsWith('/terms-acceptance-required'))
  );
}
