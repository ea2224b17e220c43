import type { UserStatus, WorkspaceRole } from './vocabulary.js';

/** Who is asking: the signed-in user, as every use case and policy sees them. */
export interface Actor {
  userId: string;
  workspaceId: string;
  role: WorkspaceRole;
  status: UserStatus;
  /**
   * The moment the request is judged at, by the server's clock (ms since the epoch): dated rules such as
   * **Access until** compare with it. Unset means the system clock's now.
   */
  at?: number;
}

/** Where a request came from, recorded with every activity event. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}
