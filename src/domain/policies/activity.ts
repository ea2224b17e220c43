import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/**
 * Which events a person sees (SPEC §8): workspace admins everything; a member their own events and
 * everything on the accounts they own and about the partners they host (their guests' events included);
 * a guest only their own.
 */
export type ActivityScope = 'workspace' | 'own-and-responsible-for' | 'own';

export const activityPolicy = {
  /** Whether the whole workspace's log verifies is for those who see all of it. */
  checkChain: (actor: Actor) => isWorkspaceAdmin(actor.role),
  scope: (actor: Actor): ActivityScope =>
    isWorkspaceAdmin(actor.role) ? 'workspace' : actor.role === 'guest' ? 'own' : 'own-and-responsible-for',
} as const;
