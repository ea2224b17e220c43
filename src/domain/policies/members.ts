import type { UserKind, UserStatus, WorkspaceRole } from '../vocabulary.js';
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

/** A member (owner, admin or member) as the lifecycle actions of SPEC §2a see them. */
export interface MemberTarget {
  userId: string;
  role: WorkspaceRole;
  status: UserStatus;
}

/** Acting on another of the workspace's own people: never on oneself, and by who acts on whom. */
const actsOnOther = (actor: Actor, target: MemberTarget) =>
  target.userId !== actor.userId && target.role !== 'guest' && actsOn(actor.role, target.role);

/**
 * Making or unmaking an admin is acting on an admin: only the owner does it (an admin cannot promote a
 * member to be their peer, nor invite one).
 */
const mayGiveRole = (actor: Actor, role: 'admin' | 'member') =>
  role === 'admin' ? actor.role === 'owner' : isWorkspaceAdmin(actor.role);

/** Who may see and manage the workspace's own people. Guests never see the member list. */
export const memberPolicy = {
  list: (actor: Actor) => actor.role !== 'guest',
  /** Whether the actor may act on this member at all, whatever the action and the member's state. */
  actsOnMember: (actor: Actor, target: MemberTarget) => actsOnOther(actor, target),
  /** Invite member: admins invite members, the owner invites admins too. */
  invite: (actor: Actor, role: 'admin' | 'member') => mayGiveRole(actor, role),
  /** Resend invitation / Revoke, while the member is invited. */
  manageInvitation: (actor: Actor, target: MemberTarget) => target.status === 'invited' && actsOnOther(actor, target),
  /** Change role admin ↔ member: the owner only, on an active member. */
  changeRole: (actor: Actor, target: MemberTarget, to: 'admin' | 'member') =>
    target.status === 'active' &&
    target.role !== to &&
    actsOnOther(actor, target) &&
    mayGiveRole(actor, to) &&
    actsOn(actor.role, to),
  deactivate: (actor: Actor, target: MemberTarget) => target.status === 'active' && actsOnOther(actor, target),
  reactivate: (actor: Actor, target: MemberTarget) => target.status === 'deactivated' && actsOnOther(actor, target),
  /** Change email, proven by a link to the new address. */
  changeEmail: (actor: Actor, target: MemberTarget) => target.status === 'active' && actsOnOther(actor, target),
  /** Transfer workspace ownership: the owner, to an active admin. */
  transferOwnership: (actor: Actor, target: MemberTarget) =>
    actor.role === 'owner' && target.userId !== actor.userId && target.role === 'admin' && target.status === 'active',
  /**
   * Reset MFA (SPEC §5, §2a): whom the actor acts on (the owner on anyone else, admins on members and
   * guests), and host admins on the guests of partners they host. Nobody resets their own (they turn it
   * off on their Security page) and nobody resets the owner's: it would sign the owner out.
   */
  resetMfa: (actor: Actor, target: MfaResetTarget) =>
    target.userId !== actor.userId &&
    (actsOn(actor.role, target.role) || (target.kind === 'guest' && target.hostedByActor && actor.role !== 'guest')),
} as const;
