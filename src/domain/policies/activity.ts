import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** Workspace admins see the whole activity log (narrower views come with partners and accounts). */
export const activityPolicy = {
  listAll: (actor: Actor) => isWorkspaceAdmin(actor.role),
} as const;
