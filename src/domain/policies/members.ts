import type { UserKind } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** Whose MFA an actor wants to reset, and whether the actor is a host admin of that guest's partner. */
export interface MfaResetTarget {
  userId: string;
  kind: UserKind;
  hostedByActor: boolean;
}

/** Who may see and manage the workspace's own people. Guests never see the member list. */
export const memberPolicy = {
  list: (actor: Actor) => actor.role !== 'guest',
  add: (actor: Actor) => isWorkspaceAdmin(actor.role),
  /**
   * Reset MFA (SPEC §5): workspace admins for anyone else in the workspace, host admins for the guests
   * of partners they host. Nobody resets their own: they turn it off on their Security page instead.
   */
  resetMfa: (actor: Actor, target: MfaResetTarget) =>
    target.userId !== actor.userId &&
    (isWorkspaceAdmin(actor.role) || (target.kind === 'guest' && target.hostedByActor && actor.role !== 'guest')),
} as const;
