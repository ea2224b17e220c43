import type { ItemRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** The actor as seen from one account: their effective item role on it (SPEC §1, §11). */
export interface AccountStanding {
  actor: Actor;
  role: ItemRole;
}

const isOwner = (s: AccountStanding) => s.role === 'owner';

/** SPEC §1 "What each item role may do with an account", one line per row of the table. */
export const accountPolicy = {
  /** Members create accounts; guests cannot create items. */
  create: (actor: Actor) => actor.role !== 'guest',
  view: (_s: AccountStanding) => true,
  totpCode: (_s: AccountStanding) => true,
  /** Only to an approved client app on a trusted device; the route checks the session, this the role. */
  autofill: (_s: AccountStanding) => true,
  reveal: isOwner,
  edit: isOwner,
  delete: isOwner,
  shareWithMembers: isOwner,
  /** The account's half of sharing with a partner; the sharing policy joins it with the partner's. */
  shareWithPartner: isOwner,
  /** The account's half of **Share Access**; the sharing policy adds the partner the role comes from. */
  shareOnward: (s: AccountStanding) => s.role === 'manager',
  manageAccess: isOwner,
  /**
   * SPEC §8: an account's owners see everything that happened to and with it (its **Activity** tab), and
   * so do workspace admins, who see the whole log. Guests are never owners: they see their own events on
   * the Activity page, never an account's history.
   */
  viewActivity: (s: AccountStanding) => isOwner(s) || isWorkspaceAdmin(s.actor.role),
} as const;
