import type { User, Workspace } from '../db/schema.js';

/** What the API shows of a user. Never includes the password hash. */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: User['role'];
  status: User['status'];
  createdAt: string;
}

export function toUserView(
  user: Pick<User, 'id' | 'email' | 'display_name' | 'role' | 'status' | 'created_at'>,
): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    status: user.status,
    createdAt: user.created_at.toISOString(),
  };
}

export interface WorkspaceView {
  id: string;
  slug: string;
  name: string;
  mode: Workspace['mode'];
}

export function toWorkspaceView(workspace: Pick<Workspace, 'id' | 'slug' | 'name' | 'mode'>): WorkspaceView {
  return { id: workspace.id, slug: workspace.slug, name: workspace.name, mode: workspace.mode };
}

/** Postgres unique-violation, raised when two requests race for the same email or slug. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | undefined;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
