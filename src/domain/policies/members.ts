import type { UserKind, WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** Whose MFA an actor wants to reset, and whether the actor is a host admin of that guest's partner. */
export interface MfaResetTarget {
  userId: string;
  kind: UserKind;
  role: WorkspaceRole;
  hostedByActor: boolean;
}

/**
 * Who acts on whom (SPEC §2a): admins act on members and guests; only the owner acts on admins; nobody
 * acts on the owner through the web app or the API.
 */
export function actsOn(actorRole: WorkspaceRole, targetRole: WorkspaceRole): boolean {
  if (targetRole === 'owner') return false;
  if (actorRole === 'owner') return true;
  if (actorRole === 'admin') return targetRole === 'member' || targetRole === 'guest';
  return false;
}

/** Who may see and manage the workspace's own people. Guests never see the member list. */
export const memberPolicy = {
  list: (actor: Actor) => actor.role !== 'guest',
  add: (actor: Actor) => isWorkspaceAdmin(actor.role),
  /**
   * Reset MFA (SPEC §5, §2a): whom the actor acts on (the owner on anyone else, admins on members and
   * guests), and host admins on the guests of partners they host. Nobody resets their own (they turn it
   * off on their Security page) and nobody resets the owner's: it would sign the owner out.
   */
  resetMfa: (actor: Actor, target: MfaResetTarget) =>
    target.userId !== actor.userId &&
    (actsOn(actor.role, target.role) || (target.kind === 'guest' && target.hostedByActor && actor.role !== 'guest')),
} as const;
