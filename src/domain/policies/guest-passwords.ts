import type { UserStatus } from '../vocabulary.js';
import type { GuestTarget, PartnerStanding } from './partners.js';
import { isWorkspaceAdmin } from '../roles.js';

/** The guest whose password would be reset: their partner role and whether they have joined. */
export interface GuestPasswordTarget extends GuestTarget {
  status: UserStatus;
}

/**
 * **Reset password** for a guest (SPEC §2a): host admins of the guest's partner (and workspace owners and
 * admins, who may do all a host admin may) for any of its guests, guest admins for its guest users;
 * nobody for themself (they change their own on Security). Only an active guest's password is reset: an
 * invited one gets **Resend invitation** instead, a deactivated one cannot sign in at all.
 */
export const guestPasswordPolicy = {
  /** Whether the actor may reset this guest's password at all (a refusal is a 403). */
  reset: (s: PartnerStanding, target: GuestTarget) =>
    target.userId !== s.actor.userId &&
    (isWorkspaceAdmin(s.actor.role) ||
      s.partnerRole === 'host_admin' ||
      (s.partnerRole === 'guest_admin' && target.role === 'guest_user')),
  /** Whether a reset applies to the guest as they are now (otherwise a 409). */
  applies: (target: GuestPasswordTarget) => target.status === 'active',
  /** What the member page offers: the button is there exactly when the server would do it. */
  offered: (s: PartnerStanding, target: GuestPasswordTarget) =>
    guestPasswordPolicy.reset(s, target) && guestPasswordPolicy.applies(target),
} as const;
