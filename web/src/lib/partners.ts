import type { MemberStatus, PartnerInvitation, PartnerMember, PartnerPermissions, PartnerRole } from '../api';
import { formatDateTime } from './format';

export const partnerRoleLabel: Record<PartnerRole, string> = {
  host_admin: 'Host admin',
  guest_admin: 'Guest admin',
  guest_user: 'Guest user',
};

export const memberStatusLabel: Record<MemberStatus, string> = {
  invited: 'Invited',
  active: 'Active',
  deactivated: 'Deactivated',
};

export const memberStatusColor: Record<MemberStatus, string> = {
  invited: 'blue',
  active: 'teal',
  deactivated: 'gray',
};

/** The name to show for a member: invited guests have not given their names yet. */
export function memberName(member: { displayName: string; email: string }): string {
  return member.displayName.trim() || member.email;
}

export interface InvitationSummary {
  /** "Pending — sent", "Accepted", … */
  text: string;
  /** A second line, such as the expiry of a pending invitation. */
  note: string | null;
  /** The mail server's last error, for a tooltip. */
  error: string | null;
  color: string;
}

const deliveryText = {
  queued: 'queued',
  sent: 'sent',
  retrying: 'failed, retrying',
  failed: 'failed',
  cancelled: 'not sent',
} as const;

export function summarizeInvitation(invitation: PartnerInvitation): InvitationSummary {
  switch (invitation.state) {
    case 'pending': {
      const delivery = invitation.delivery;
      const failing = delivery?.state === 'retrying' || delivery?.state === 'failed';
      return {
        text: delivery ? `Pending — ${deliveryText[delivery.state]}` : 'Pending',
        note: `Expires ${formatDateTime(invitation.expiresAt)}`,
        error: failing ? (delivery.lastError ?? 'The mail server did not accept the message.') : null,
        color: failing ? 'red' : 'blue',
      };
    }
    case 'accepted':
      return { text: 'Accepted', note: null, error: null, color: 'teal' };
    case 'expired':
      return { text: 'Expired', note: `Expired ${formatDateTime(invitation.expiresAt)}`, error: null, color: 'orange' };
    case 'revoked':
      return { text: 'Revoked', note: null, error: null, color: 'gray' };
  }
}

export type MemberAction = 'details' | 'resend' | 'revoke' | 'makeAdmin' | 'makeUser' | 'remove' | 'removeHost';

/** What the signed-in user may do with one member row, from the partner's permissions. */
export function memberActions(member: PartnerMember, permissions: PartnerPermissions, meId: string): MemberAction[] {
  const actions: MemberAction[] = ['details'];
  if (member.partnerRole === 'host_admin') {
    if (permissions.manageHostAdmins) actions.push('removeHost');
    return actions;
  }
  if (member.status === 'deactivated') return actions;
  const state = member.invitation?.state;
  if (permissions.manageInvitations && (state === 'pending' || state === 'expired')) actions.push('resend');
  if (permissions.manageInvitations && state === 'pending') actions.push('revoke');
  if (permissions.changeGuestRoles) actions.push(member.partnerRole === 'guest_user' ? 'makeAdmin' : 'makeUser');
  const mayRemove =
    member.partnerRole === 'guest_admin'
      ? permissions.removeGuestAdmins
      : permissions.removeGuestUsers && member.userId !== meId; // never oneself
  if (mayRemove) actions.push('remove');
  return actions;
}
