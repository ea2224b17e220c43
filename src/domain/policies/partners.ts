import type { GuestRole, PartnerRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** The actor as seen from one partner: their workspace role and their role in that partner, if any. */
export interface PartnerStanding {
  actor: Actor;
  partnerRole: PartnerRole | null;
}

export interface GuestTarget {
  userId: string;
  role: GuestRole;
}

/** Host admins run the partner; workspace owners and admins may do everything a host admin may. */
const runsPartner = (s: PartnerStanding) => isWorkspaceAdmin(s.actor.role) || s.partnerRole === 'host_admin';
const isGuestAdmin = (s: PartnerStanding) => s.partnerRole === 'guest_admin';

/** SPEC §3 "Who may do what", one line per row of the table. */
export const partnerPolicy = {
  create: (actor: Actor) => isWorkspaceAdmin(actor.role),
  /** Every partner of the workspace, not just those the actor belongs to. */
  listAll: (actor: Actor) => isWorkspaceAdmin(actor.role),
  view: (s: PartnerStanding) => runsPartner(s) || s.partnerRole !== null,
  rename: runsPartner,
  manageHostAdmins: runsPartner,
  inviteGuests: (s: PartnerStanding) => runsPartner(s) || isGuestAdmin(s),
  manageInvitations: (s: PartnerStanding) => runsPartner(s) || isGuestAdmin(s),
  changeGuestRole: (s: PartnerStanding) => runsPartner(s) || isGuestAdmin(s),
  /** **Guest access ends on**: host admins decide how long a guest stays (SPEC §8a). */
  setGuestAccessEnd: runsPartner,
  removeGuest: (s: PartnerStanding, target: GuestTarget) =>
    runsPartner(s) || (isGuestAdmin(s) && target.role === 'guest_user' && target.userId !== s.actor.userId),
  remove: runsPartner,
  /** The partner's half of sharing; the sharing policy joins it with the account's. */
  shareAccounts: (s: PartnerStanding) => s.partnerRole === 'host_admin',
  removeAccounts: runsPartner,
} as const;

/** Domain of an email address, lower-cased. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Guests come from outside: their domain must be none of the workspace's verified domains and none of
 * the partner's host admins' domains (those people belong in the workspace, not among its guests).
 */
export function guestDomainProblem(
  guestEmail: string,
  verifiedDomains: string[],
  hostAdminEmails: string[],
): string | null {
  const domain = emailDomain(guestEmail);
  if (verifiedDomains.map((d) => d.toLowerCase()).includes(domain)) {
    return `${domain} is one of this workspace's own domains; people there join as members, not guests.`;
  }
  if (hostAdminEmails.map(emailDomain).includes(domain)) {
    return `${domain} is the domain of a host admin of this partner; a guest must come from another organisation.`;
  }
  return null;
}
