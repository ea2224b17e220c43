/**
 * Email notifications (SPEC §8a): an account shared with you, an account of yours passed on, a guest you
 * invited joined, access ending soon, and a new device waiting for your approval. Each names people and
 * accounts (never ids) and links to the page where the person can act. Subjects are fixed sentences.
 */

import { mailButtonFallback, mailLink, mailSmallPrint } from './mail-rows.js';
import {
  chosen,
  escapeHtml,
  formatUtc,
  mailButton,
  mailDocument,
  mailHeading,
  mailParagraph,
  type RenderedMail,
} from './templates.js';

/** Who the mail is to and where they change which notifications they get. */
interface NotificationRecipient {
  workspaceName: string;
  displayName: string;
  /** The Security page's Notifications section. */
  preferencesUrl: string;
}

/** The small print of a notification a person may turn off. */
function optOutText(input: NotificationRecipient): string {
  return `You get this email because notifications of this kind are on. Turn them off under Security, Notifications: ${input.preferencesUrl}`;
}

function optOutHtml(preferencesUrl: string): string {
  return mailSmallPrint(
    `You get this email because notifications of this kind are on. Turn them off under Security, Notifications: ${mailLink(preferencesUrl)}`,
  );
}

function render(
  subject: string,
  heading: string,
  input: NotificationRecipient,
  sentences: string[],
  action: { label: string; url: string },
  smallPrint: 'opt-out' | 'security',
): RenderedMail {
  const text = [
    `Hello ${input.displayName},`,
    '',
    ...sentences,
    '',
    `${action.label}: ${action.url}`,
    '',
    smallPrint === 'opt-out'
      ? optOutText(input)
      : 'This email is about your security: it is always sent, whatever your notification choices.',
    '',
  ].join('\n');
  const footer =
    smallPrint === 'opt-out'
      ? optOutHtml(escapeHtml(input.preferencesUrl))
      : mailSmallPrint(
          `${mailButtonFallback(escapeHtml(action.url))}<br>This email is about your security: it is always sent, whatever your notification choices.`,
        );
  const html = mailDocument(
    subject,
    mailHeading(escapeHtml(heading)) +
      mailParagraph(`Hello ${escapeHtml(input.displayName)},`) +
      sentences.map((sentence) => mailParagraph(escapeHtml(sentence))).join('') +
      mailButton(escapeHtml(action.url), escapeHtml(action.label)) +
      footer,
  );
  return { subject, text, html };
}

const ROLE_WORDS = { owner: 'owner', manager: 'manager', collaborator: 'collaborator' } as const;

export interface AccountSharedMailInput extends NotificationRecipient {
  /** Who shared it (or passed it on). */
  sharerName: string;
  accountName: string;
  role: keyof typeof ROLE_WORDS;
  /** How it reached the person: `member` shared with them; `onward` passed on by a manager of their partner. */
  via: 'member' | 'onward';
  partnerName?: string | undefined;
  /** **Access until**, when the share ends by itself. */
  accessUntil?: Date | null | undefined;
  accountUrl: string;
}

export const ACCOUNT_SHARED_SUBJECT = 'An account was shared with you on Gatehouse';

export function accountSharedMail(raw: AccountSharedMailInput): RenderedMail {
  const input = chosen(raw);
  const role = ROLE_WORDS[input.role];
  const what =
    input.via === 'onward'
      ? `${input.sharerName} passed ${input.accountName} on to you as ${role}${input.partnerName ? `, for ${input.partnerName}` : ''}, in ${input.workspaceName} on Gatehouse.`
      : `${input.sharerName} shared ${input.accountName} with you as ${role}, in ${input.workspaceName} on Gatehouse.`;
  const until = input.accessUntil
    ? [`This access ends by itself on ${formatUtc(input.accessUntil)} (Access until).`]
    : [];
  return render(
    ACCOUNT_SHARED_SUBJECT,
    `${input.accountName} was shared with you`,
    input,
    [what, ...until],
    { label: 'Open the account', url: input.accountUrl },
    'opt-out',
  );
}

export interface SharedWithPartnerMailInput extends NotificationRecipient {
  sharerName: string;
  partnerName: string;
  /** The accounts of one **Share accounts**, each with its role. */
  accounts: Array<{ name: string; role: keyof typeof ROLE_WORDS }>;
  accessUntil?: Date | null | undefined;
  /** The account's page for one account; the partner's page for several. */
  url: string;
}

/**
 * **Share accounts** with a partner, to its guest admin: one mail for the whole share, however many
 * accounts it holds.
 */
export function sharedWithPartnerMail(raw: SharedWithPartnerMailInput): RenderedMail {
  const input = chosen(raw);
  const accounts = input.accounts.map((account) => chosen(account));
  const single = accounts.length === 1 ? accounts[0] : undefined;
  const until = input.accessUntil
    ? [`This access ends by itself on ${formatUtc(input.accessUntil)} (Access until).`]
    : [];
  const what = single
    ? `${input.sharerName} shared ${single.name} with ${input.partnerName} as ${ROLE_WORDS[single.role]}, in ${input.workspaceName} on Gatehouse. As its guest admin, you can use it and pass it on to your guest users.`
    : `${input.sharerName} shared ${accounts.length} accounts with ${input.partnerName}, in ${input.workspaceName} on Gatehouse: ${accounts.map((a) => `${a.name} (${ROLE_WORDS[a.role]})`).join(', ')}. As its guest admin, you can use them and pass them on to your guest users.`;
  return render(
    ACCOUNT_SHARED_SUBJECT,
    single ? `${single.name} was shared with you` : `${accounts.length} accounts were shared with you`,
    input,
    [what, ...until],
    single ? { label: 'Open the account', url: input.url } : { label: 'Open the partner’s accounts', url: input.url },
    'opt-out',
  );
}

export interface AccountPassedOnMailInput extends NotificationRecipient {
  managerName: string;
  partnerName: string;
  guestName: string;
  accountName: string;
  accountUrl: string;
}

export const ACCOUNT_PASSED_ON_SUBJECT = 'An account you own was passed on on Gatehouse';

export function accountPassedOnMail(raw: AccountPassedOnMailInput): RenderedMail {
  const input = chosen(raw);
  return render(
    ACCOUNT_PASSED_ON_SUBJECT,
    `${input.accountName} was passed on`,
    input,
    [
      `${input.managerName}, a manager of ${input.accountName} for ${input.partnerName}, passed it on to ${input.guestName}, a guest user of ${input.partnerName}, as collaborator, in ${input.workspaceName} on Gatehouse.`,
      'As an owner of the account, you can see who can use it, and remove anyone, on its page.',
    ],
    { label: 'Open the account', url: input.accountUrl },
    'opt-out',
  );
}

export interface GuestJoinedMailInput extends NotificationRecipient {
  guestName: string;
  guestEmail: string;
  partnerName: string;
  guestUrl: string;
}

export const GUEST_JOINED_SUBJECT = 'A guest you invited joined Gatehouse';

export function guestJoinedMail(raw: GuestJoinedMailInput): RenderedMail {
  const input = chosen(raw);
  return render(
    GUEST_JOINED_SUBJECT,
    `${input.guestName} joined`,
    input,
    [
      `${input.guestName} (${input.guestEmail}), whom you invited as a guest of ${input.partnerName}, completed their first sign-in to ${input.workspaceName} on Gatehouse and is now active.`,
    ],
    { label: 'Open the guest’s page', url: input.guestUrl },
    'opt-out',
  );
}

export interface AccessExpiringMailInput extends NotificationRecipient {
  /** What ends, as a phrase with names: "Gus User's access to Instagram – Acme Brand". */
  whatEnds: string;
  endsAt: Date;
  /** Where the person can see or extend it. */
  url: string;
  linkLabel: string;
}

export const ACCESS_EXPIRING_SUBJECT = 'Access ends in seven days on Gatehouse';

/** For the expiry job (SPEC §8a): sent seven days before a share or a guest's access ends by itself. */
export function accessExpiringMail(raw: AccessExpiringMailInput): RenderedMail {
  const input = chosen(raw);
  const ends = formatUtc(input.endsAt);
  return render(
    ACCESS_EXPIRING_SUBJECT,
    'Access ends soon',
    input,
    [
      `${input.whatEnds} ends on ${ends}, in ${input.workspaceName} on Gatehouse.`,
      'When that time comes it ends by itself, as a removal does. If it should go on, change its end date before then.',
    ],
    { label: input.linkLabel, url: input.url },
    'opt-out',
  );
}

export interface DeviceWaitingMailInput extends NotificationRecipient {
  deviceName: string;
  kindName: string;
  requestedAt: Date;
  ip: string | null;
  devicesUrl: string;
}

export const DEVICE_WAITING_SUBJECT = 'A new device waits for your approval on Gatehouse';

/** Security mail: always sent. The device can be approved or denied only from a trusted device. */
export function deviceWaitingMail(raw: DeviceWaitingMailInput): RenderedMail {
  const input = chosen(raw);
  const from = input.ip ? `, from the address ${input.ip}` : '';
  return render(
    DEVICE_WAITING_SUBJECT,
    'A new device waits for your approval',
    input,
    [
      `A new device signed in as you and waits for approval: ${input.deviceName} (${input.kindName}), on ${formatUtc(input.requestedAt)}${from}, for ${input.workspaceName} on Gatehouse.`,
      'If this is you, approve it from one of your trusted devices on My trusted devices. If it is not, deny it there and change your password.',
    ],
    { label: 'My trusted devices', url: input.devicesUrl },
    'security',
  );
}
