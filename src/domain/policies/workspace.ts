import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** What only the people who run the workspace (owner and admins) may do with the workspace itself. */
export const workspacePolicy = {
  viewSettings: (actor: Actor) => isWorkspaceAdmin(actor.role),
  changeSettings: (actor: Actor) => isWorkspaceAdmin(actor.role),
  publishTerms: (actor: Actor) => isWorkspaceAdmin(actor.role),
  /** Past versions and how many accepted each; everyone sees the current version. */
  viewTermsHistory: (actor: Actor) => isWorkspaceAdmin(actor.role),
  /** The development outbox holds temporary passwords, so only those who could reset them read it. */
  readDevOutbox: (actor: Actor) => isWorkspaceAdmin(actor.role),
} as const;
