import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** Who may see and manage the workspace's own people. Guests never see the member list. */
export const memberPolicy = {
  list: (actor: Actor) => actor.role !== 'guest',
  add: (actor: Actor) => isWorkspaceAdmin(actor.role),
} as const;
