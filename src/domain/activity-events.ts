/**
 * What the activity log's events mean to people (SPEC §8): the group each action belongs to, for the
 * Activity page's **Event type** filter, and the sentence each event reads as, with names. Pure: the
 * service gives the names it joined; the page and the CSV export show the same sentence.
 */

import { formatUtc } from './time.js';
import { isNotificationKind, notificationKindInfo, type NotificationKind } from './notifications.js';

export const ACTIVITY_GROUPS = ['sign-in', 'people', 'partners', 'accounts', 'secrets', 'devices'] as const;
export type ActivityGroup = (typeof ACTIVITY_GROUPS)[number];

/** Deliveries of a secret: a password filled or revealed, a TOTP code or secret handed out. */
export const SECRET_ACTIONS = [
  'account.password_delivered',
  'account.password_revealed',
  'account.totp_code_issued',
  'account.totp_secret_revealed',
] as const;

/** Which actions a group holds, as prefixes (`auth.`) and exact names; accounts exclude the secrets. */
export const GROUP_ACTIONS: Record<ActivityGroup, { prefixes: string[]; actions: string[]; except?: string[] }> = {
  'sign-in': { prefixes: ['auth.'], actions: [] },
  people: { prefixes: ['user.', 'member.', 'invitation.', 'mfa.', 'terms.', 'workspace.'], actions: [] },
  partners: { prefixes: ['partner.'], actions: [] },
  accounts: { prefixes: ['account.'], actions: [], except: [...SECRET_ACTIONS] },
  secrets: { prefixes: [], actions: [...SECRET_ACTIONS] },
  devices: { prefixes: ['device.', 'client_app.'], actions: [] },
};

export function activityGroup(action: string): ActivityGroup | null {
  for (const group of ACTIVITY_GROUPS) {
    const { prefixes, actions, except } = GROUP_ACTIONS[group];
    if (except?.includes(action)) continue;
    if (actions.includes(action) || prefixes.some((prefix) => action.startsWith(prefix))) return group;
  }
  return null;
}

/** An event with the names the service found for who did it and what it is about. */
export interface NamedEvent {
  action: string;
  actorName: string | null;
  targetType: string | null;
  /** The target's name: a person's display name, an account's or a partner's name. */
  targetName: string | null;
  partnerName: string | null;
  accountName: string | null;
  /** The person an account event is about (its `details.userId`): whom it was shared with, passed on to. */
  subjectName: string | null;
  details: Record<string, unknown>;
}

const ROLE_WORDS: Record<string, string> = {
  owner: 'owner',
  admin: 'admin',
  member: 'member',
  manager: 'manager',
  collaborator: 'collaborator',
  guest_admin: 'guest admin',
  guest_user: 'guest user',
  host_admin: 'host admin',
};

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const role = (value: unknown): string => ROLE_WORDS[String(value)] ?? String(value ?? '').replace(/_/g, ' ');

/** One sentence for an event, e.g. "Gina Guest passed Instagram on to Gus User as collaborator." */
export function describeEvent(event: NamedEvent): string {
  const d = event.details;
  const actor =
    event.actorName ??
    (d.via === 'cli'
      ? 'The operator (command line)'
      : d.via === 'scim'
        ? `The identity provider (SCIM token “${text(d.tokenName) ?? 'unnamed'}”)`
        : 'Gatehouse');
  const person = event.targetName ?? text(d.email) ?? 'someone';
  const account = event.accountName ?? (event.targetType === 'account' ? event.targetName : null) ?? 'an account';
  const partner = event.partnerName ?? (event.targetType === 'partner' ? event.targetName : null) ?? 'a partner';
  const reason = text(d.reason) ? ` (${String(d.reason).replace(/_/g, ' ')})` : '';
  // A secret handed out names the device it went to, so an account's history says where each one went.
  const onDevice = text(d.deviceName) ? ` on “${String(d.deviceName)}”` : '';
  // A share with **Access until** says when it ends (SPEC §8a).
  const untilDate = text(d.accessUntil) ? new Date(String(d.accessUntil)) : null;
  const until = untilDate && !Number.isNaN(untilDate.getTime()) ? ` until ${formatUtc(untilDate)}` : '';
  const endsOn = text(d.accessEndsAt) ? new Date(String(d.accessEndsAt)) : null;
  const sentences: Record<string, () => string> = {
    'auth.signed_in': () => `${actor} signed in${d.method ? ` with ${String(d.method)}` : ''}.`,
    'auth.signed_out': () => `${actor} signed out.`,
    'auth.sign_in_failed': () => `A sign-in as ${event.actorName ?? text(d.username) ?? person} failed${reason}.`,
    'auth.second_factor_passed': () => `${actor} passed the second factor${d.method ? ` (${String(d.method)})` : ''}.`,
    'auth.second_factor_failed': () => `${actor} entered a wrong second-factor code.`,
    'auth.lockout_started': () => `Sign-in for ${event.actorName ?? person} was locked after repeated failures.`,
    'auth.identity_confirmed': () => `${actor} confirmed their identity.`,
    'auth.session_ended': () => `A session of ${event.actorName ?? person} ended${reason}.`,
    'auth.other_sessions_ended': () => `${actor} signed out their other sessions.`,
    'auth.break_glass_sign_in': () => `${actor} used the owner's break-glass password sign-in.`,
    'user.invited': () =>
      `${actor} invited ${person}${d.role ? ` as ${role(d.role)}` : ''}${event.partnerName ? ` to ${partner}` : ''}.`,
    'user.joined': () => `${person} joined${event.partnerName ? ` as a guest of ${partner}` : ''}.`,
    'user.activated': () => `${person} finished setting up their access.`,
    'user.deactivated': () => `${actor} deactivated ${person}${reason}.`,
    'user.reactivated': () => `${actor} reactivated ${person}.`,
    'user.created_jit': () => `${person} was created on first sign-in through the identity provider.`,
    'user.identity_linked': () => `${person} was linked to their identity-provider account.`,
    'user.email_change_requested': () => `${actor} asked to change the email address of ${person}.`,
    'user.email_changed': () => `The email address of ${person} changed.`,
    'user.password_changed': () => `${actor} changed their password.`,
    'user.notifications_changed': () =>
      `${actor} turned ${d.enabled ? 'on' : 'off'} the email notification “${isNotificationKind(String(d.kind)) ? notificationKindInfo(d.kind as NotificationKind).label : String(d.kind)}”.`,
    'user.password_reset': () => `${person} reset their password.`,
    'user.password_reset_requested': () => `A password reset was requested for ${person}.`,
    'user.password_reset_by_admin': () => `${actor} reset the password of ${person}.`,
    'member.invited': () => `${actor} invited ${person} to join as ${role(d.role ?? 'member')}.`,
    'member.created': () => `${actor} added ${person} as ${role(d.role ?? 'member')}.`,
    'member.role_changed': () => `${actor} made ${person} ${role(d.role ?? d.to)}.`,
    'member.ownership_transferred': () =>
      `${actor} transferred what ${person} owned${d.to ? ' to another member' : ''}.`,
    'workspace.created': () => `${actor} created the workspace.`,
    'workspace.settings_changed': () => `${actor} changed the workspace settings.`,
    'workspace.scim_token_created': () => `${actor} created the SCIM token “${String(d.tokenName ?? '')}”.`,
    'workspace.sso_settings_changed': () => {
      const protocol = (d.protocol as { to?: unknown } | undefined)?.to;
      return protocol === 'saml' || protocol === 'oidc'
        ? `${actor} changed single sign-on to ${protocol === 'saml' ? 'SAML 2.0' : 'OpenID Connect'}.`
        : `${actor} changed the single sign-on settings.`;
    },
    'workspace.saml_settings_changed': () => `${actor} changed the SAML identity provider settings.`,
    'workspace.sign_in_mode_changed': () =>
      d.to === 'idp'
        ? `${actor} switched member sign-in to the identity provider.`
        : `${actor} switched member sign-in to Gatehouse passwords.`,
    'workspace.scim_token_revoked': () => `${actor} revoked the SCIM token “${String(d.tokenName ?? '')}”.`,
    'member.updated': () =>
      `${actor} updated ${Array.isArray(d.changed) ? d.changed.join(' and ') : 'the details'} of ${person}.`,
    'workspace.ownership_transferred': () => `${actor} transferred the workspace ownership to ${person}.`,
    'invitation.resent': () => `${actor} resent the invitation of ${person}.`,
    'invitation.revoked': () => `${actor} revoked the invitation of ${person}.`,
    'invitation.expired': () => `The invitation of ${person} expired.`,
    'invitation.withheld': () => `${actor} invited an address that already has access elsewhere; no mail was sent.`,
    'terms.accepted': () => `${actor} accepted the terms${d.version ? ` (version ${String(d.version)})` : ''}.`,
    'terms.published': () => `${actor} published new terms${d.version ? ` (version ${String(d.version)})` : ''}.`,
    'mfa.turned_on': () => `${actor} turned on MFA.`,
    'mfa.turned_off': () => `${actor} turned off MFA.`,
    'mfa.reset': () => `${actor} reset the MFA of ${person}.`,
    'mfa.passkey_added': () => `${actor} added a passkey.`,
    'mfa.passkey_removed': () => `${actor} removed a passkey.`,
    'mfa.passkey_renamed': () => `${actor} renamed a passkey.`,
    'mfa.recovery_code_used': () => `${actor} used a recovery code.`,
    'mfa.recovery_codes_regenerated': () => `${actor} generated new recovery codes.`,
    'mfa.setup_restarted': () => `${actor} started setting up an authenticator app again, with a new key.`,
    'mfa.setup_cancelled': () => `${actor} cancelled setting up an authenticator app.`,
    'partner.created': () => `${actor} created the partner ${partner}.`,
    'partner.renamed': () => `${actor} renamed the partner ${text(d.from) ? `${String(d.from)} ` : ''}to ${partner}.`,
    'partner.removed': () => `${actor} removed the partner ${partner}.`,
    'partner.host_admin_assigned': () => `${actor} made ${person} a host admin of ${partner}.`,
    'partner.host_admin_removed': () => `${actor} removed ${person} as host admin of ${partner}.`,
    'partner.guest_role_changed': () => `${actor} made ${person} ${role(d.role ?? d.to)} of ${partner}.`,
    'partner.guest_removed': () => `${actor} removed ${person} from ${partner}.`,
    'partner.access_review_started': () => `${actor} started an access review of ${partner}.`,
    'partner.access_review_decided': () => {
      const verb = d.decision === 'remove' ? 'removed' : 'kept';
      const holder = event.subjectName ?? partner;
      return d.kind === 'guest'
        ? `${actor} ${verb} ${holder} as ${role(d.role)} of ${partner} in an access review.`
        : `${actor} ${verb} ${account} for ${holder}${d.role ? ` as ${role(d.role)}` : ''} in an access review of ${partner}.`;
    },
    'partner.access_review_closed': () =>
      `${actor} completed the access review of ${partner}: ${Number(d.kept ?? 0)} kept, ${Number(d.removed ?? 0)} removed.`,
    'partner.access_review_scheduled': () =>
      typeof d.intervalDays === 'number'
        ? `${actor} scheduled an access review of ${partner} every ${d.intervalDays} days.`
        : `${actor} stopped scheduling access reviews of ${partner}.`,
    'partner.access_review_due': () => `An access review of ${partner} came due; its host admins were reminded.`,
    'partner.guest_access_end_set': () =>
      endsOn && !Number.isNaN(endsOn.getTime())
        ? `${actor} set the guest access of ${person} to end on ${formatUtc(endsOn)}.`
        : `${actor} removed the end date of the guest access of ${person}.`,
    'partner.guest_access_ended': () => `The guest access of ${person} to ${partner} ended on its end date.`,
    'account.created': () => `${actor} added the account ${account}.`,
    'account.updated': () => `${actor} edited the account ${account}.`,
    'account.deleted': () => `${actor} deleted the account ${account}.`,
    'account.shared_with_partner': () =>
      `${actor} shared ${account} with ${partner}${d.role ? ` as ${role(d.role)}` : ''}${until}.`,
    'account.removed_from_partner': () => `${actor} removed ${account} from ${partner}.`,
    'account.shared_with_member': () =>
      `${actor} shared ${account} with ${event.subjectName ?? 'a member'}${d.role ? ` as ${role(d.role)}` : ''}${until}.`,
    'account.access_passed_on': () =>
      `${actor} passed ${account} on to ${event.subjectName ?? 'a guest'}${d.role ? ` as ${role(d.role)}` : ''}${until}.`,
    'account.access_expired': () => {
      const whose = event.subjectName ?? (event.partnerName ? partner : null);
      return `The access${whose ? ` of ${whose}` : ''} to ${account} ended: its access-until date came.`;
    },
    'account.access_removed': () =>
      `${actor} removed access to ${account}${event.subjectName ? ` from ${event.subjectName}` : ''}.`,
    'account.role_changed': () => `${actor} made ${event.subjectName ?? 'someone'} ${role(d.role)} of ${account}.`,
    'account.access_review_started': () => `${actor} started an access review of ${account}.`,
    'account.access_review_decided': () => {
      const holder = event.subjectName ?? (event.partnerName ? partner : 'someone');
      const verb = d.decision === 'remove' ? 'removed' : 'kept';
      return `${actor} ${verb} ${holder}${d.role ? ` as ${role(d.role)}` : ''} of ${account} in an access review.`;
    },
    'account.access_review_closed': () =>
      `${actor} completed the access review of ${account}: ${Number(d.kept ?? 0)} kept, ${Number(d.removed ?? 0)} removed.`,
    'account.password_delivered': () => `${actor} had the password of ${account} filled in by a client app${onDevice}.`,
    'account.password_revealed': () => `${actor} revealed the password of ${account}${onDevice}.`,
    'account.totp_code_issued': () => `${actor} got a TOTP code for ${account}${onDevice}.`,
    'account.totp_secret_revealed': () => `${actor} revealed the TOTP secret of ${account}.`,
    'device.created': () => `${actor} signed in from a new device.`,
    'device.code_sent': () => `A device approval code was emailed to ${event.actorName ?? person}.`,
    'device.code_failed': () => `${actor} entered a wrong device approval code.`,
    'device.verified': () => `${actor} verified a device with the emailed code.`,
    'device.approved': () =>
      `${actor} approved a device${event.targetName && event.targetName !== event.actorName ? ` of ${person}` : ''}.`,
    'device.denied': () =>
      `${actor} denied a device${event.targetName && event.targetName !== event.actorName ? ` of ${person}` : ''}.`,
    'device.removed': () =>
      `${actor} removed a device${event.targetName && event.targetName !== event.actorName ? ` of ${person}` : ''}.`,
    'client_app.connected': () => `${actor} connected a client app.`,
    'client_app.connect_denied': () => `${actor} denied a client app's request to connect.`,
    'client_app.connect_refused': () => `A client app's request to connect was refused${reason}.`,
  };
  return sentences[event.action]?.() ?? `${actor}: ${event.action.replace(/[._]/g, ' ')}.`;
}
