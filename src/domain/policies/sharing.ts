import type { PartnerRole, UserKind } from '../vocabulary.js';
import { accountPolicy, type AccountStanding } from './accounts.js';
import { partnerPolicy, type PartnerStanding } from './partners.js';

/**
 * Which half of a sharing rule refuses: the actor's standing on the account, their standing in the
 * partner, the person or partner shared with, or (for rules either standing satisfies) both standings.
 */
export type SharingRefusal = 'account' | 'partner' | 'target' | 'both';

/** Someone an account would be shared with directly. */
export interface ShareTarget {
  kind: UserKind;
}

/** Someone a manager would pass an account on to: their role in the manager's partner, if any. */
export interface OnwardTarget {
  partnerRole: PartnerRole | null;
  active: boolean;
}

/**
 * Sharing joins an account to people and partners (SPEC §1, §3), so each rule takes every standing it
 * needs and answers with the half that refuses, or null when the action is allowed. Services turn a
 * refusal into their error; the permissions the web app receives ask the same rules.
 */
export const sharingPolicy = {
  /** With a workspace member, as owner or collaborator; guests get accounts through their partner. */
  shareWithMember: (account: AccountStanding, target: ShareTarget): SharingRefusal | null =>
    !accountPolicy.shareWithMembers(account) ? 'account' : target.kind !== 'member' ? 'target' : null,

  /** **Share accounts**: a host admin of the partner who owns the account. */
  shareWithPartner: (account: AccountStanding, partner: PartnerStanding): SharingRefusal | null =>
    !partnerPolicy.shareAccounts(partner) ? 'partner' : !accountPolicy.shareWithPartner(account) ? 'account' : null,

  /**
   * Ending a partner share: the account's owners may end its share with any partner, host admins any
   * share with their partner. A null standing is one the actor does not have (an account they cannot use).
   */
  removeFromPartner: (account: AccountStanding | null, partner: PartnerStanding | null): SharingRefusal | null =>
    (account !== null && accountPolicy.manageAccess(account)) ||
    (partner !== null && partnerPolicy.removeAccounts(partner))
      ? null
      : 'both',

  /**
   * **Share Access**: a manager whose role comes from a partner share, as guest admin of that partner
   * (`partner`, null when no share of theirs gives them the account), passes it on to an active guest
   * user of the same partner.
   */
  shareOnward: (
    account: AccountStanding,
    partner: PartnerStanding | null,
    target: OnwardTarget,
  ): SharingRefusal | null =>
    !accountPolicy.shareOnward(account)
      ? 'account'
      : partner?.partnerRole !== 'guest_admin'
        ? 'partner'
        : target.partnerRole !== 'guest_user' || !target.active
          ? 'target'
          : null,

  /** An owner sets a guest's own role on the account (never owner); members are shared with instead. */
  changeGuestRole: (account: AccountStanding, target: ShareTarget): SharingRefusal | null =>
    !accountPolicy.manageAccess(account) ? 'account' : target.kind !== 'guest' ? 'target' : null,
} as const;
