import { accountAccessReviewPolicy } from './access-reviews.js';
import { accountPolicy, type AccountStanding } from './accounts.js';
import { partnerPolicy, type PartnerStanding } from './partners.js';
import { sharingPolicy } from './sharing.js';

// What the web app may offer, asked of the same policies the services enforce, so the UI neither offers
// what the server refuses nor hides what it allows. The server still checks each action when it happens.

/** A person the actor is not, for rules that depend on whom they act on (nobody removes themself). */
const SOMEONE_ELSE = 'someone-else';

export type PartnerPermissions = {
  rename: boolean;
  manageHostAdmins: boolean;
  inviteGuests: boolean;
  /** Resend and revoke invitations. */
  manageInvitations: boolean;
  changeGuestRoles: boolean;
  removeGuestAdmins: boolean;
  removeGuestUsers: boolean;
  remove: boolean;
  /** Share accounts the actor owns with the partner. */
  shareAccounts: boolean;
  /** End any of the partner's shares (an account's owners may also end its share, from the account). */
  removeAccounts: boolean;
  /** **Guest access ends on**: set or clear when a guest's access ends. */
  setGuestAccessEnd: boolean;
};

export function partnerPermissions(s: PartnerStanding): PartnerPermissions {
  const ownAccount: AccountStanding = { actor: s.actor, role: 'owner' };
  return {
    rename: partnerPolicy.rename(s),
    manageHostAdmins: partnerPolicy.manageHostAdmins(s),
    inviteGuests: partnerPolicy.inviteGuests(s),
    manageInvitations: partnerPolicy.manageInvitations(s),
    changeGuestRoles: partnerPolicy.changeGuestRole(s),
    removeGuestAdmins: partnerPolicy.removeGuest(s, { userId: SOMEONE_ELSE, role: 'guest_admin' }),
    removeGuestUsers: partnerPolicy.removeGuest(s, { userId: SOMEONE_ELSE, role: 'guest_user' }),
    remove: partnerPolicy.remove(s),
    shareAccounts: sharingPolicy.shareWithPartner(ownAccount, s) === null,
    removeAccounts: sharingPolicy.removeFromPartner(null, s) === null,
    setGuestAccessEnd: partnerPolicy.setGuestAccessEnd(s),
  };
}

export type AccountPermissions = {
  reveal: boolean;
  edit: boolean;
  delete: boolean;
  /** Share with workspace members. */
  share: boolean;
  /** **Share Access**: pass the account on to guest users of the actor's partner. */
  shareOnward: boolean;
  manageAccess: boolean;
  /** The account's **Activity** tab. */
  viewActivity: boolean;
  /** **Review access** for the account (SPEC §8a). */
  reviewAccess: boolean;
};

/**
 * `sharingPartner` is the actor's standing in the partner whose share gives them the account, or null
 * when no partner share does.
 */
export function accountPermissions(s: AccountStanding, sharingPartner: PartnerStanding | null): AccountPermissions {
  return {
    reveal: accountPolicy.reveal(s),
    edit: accountPolicy.edit(s),
    delete: accountPolicy.delete(s),
    share: sharingPolicy.shareWithMember(s, { kind: 'member' }) === null,
    shareOnward: sharingPolicy.shareOnward(s, sharingPartner, { partnerRole: 'guest_user', active: true }) === null,
    manageAccess: accountPolicy.manageAccess(s),
    viewActivity: accountPolicy.viewActivity(s),
    reviewAccess: accountAccessReviewPolicy.start(s),
  };
}
