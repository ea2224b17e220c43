import type { UserStatus, WorkspaceRole } from './vocabulary.js';

/** Who is asking: the signed-in user, as every use case and policy sees them. */
export interface Actor {
  userId: string;
  workspaceId: string;
  role: WorkspaceRole;
  status: UserStatus;
}

/** Where a request came from, recorded with every activity event. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}
