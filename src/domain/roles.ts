import type { WorkspaceRole } from './vocabulary.js';

export const MEMBER_ROLES = ['owner', 'admin', 'member'] as const;
export const ASSIGNABLE_MEMBER_ROLES = ['admin', 'member'] as const;
export type AssignableMemberRole = (typeof ASSIGNABLE_MEMBER_ROLES)[number];

/** The people who run the workspace: owner and admins. */
export function isWorkspaceAdmin(role: WorkspaceRole): boolean {
  return role === 'owner' || role === 'admin';
}
