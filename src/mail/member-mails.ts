/**
 * Mails about a member's account: the Join workspace invitation, Change email (the link and the notice) and
 * Transfer workspace ownership.
 */

import { mailButtonFallback, mailLink, mailSmallPrint } from './mail-rows.js';
import {
  chosen,
  escapeHtml,
  formatUtc,
  MAIL_FONT,
  mailButton,
  mailDocument,
  mailHeading,
  mailParagraph,
  type RenderedMail,
} from './templates.js';

export interface EmailChangeConfirmMailInput {
  workspaceName: string;
  displayName: string;
  /** Who asked for the change (an admin or the owner). */
  requesterName: string;
  currentEmail: string;
  newEmail: string;
  expiresAt: Date;
  confirmUrl: string;
}

/** Change email (SPEC §2a): to the NEW address, whose owner proves it by opening the link. */
export const EMAIL_CHANGE_CONFIRM_SUBJECT = 'Confirm your new email address on Gatehouse';

export function emailChangeConfirmMail(raw: EmailChangeConfirmMailInput): RenderedMail {
  const input = chosen(raw);
  const expires = formatUtc(input.expiresAt);
  const subject = EMAIL_CHANGE_CONFIRM_SUBJECT;
  const text = [
    `Hello ${input.displayName},`,
    '',
    `${input.requesterName} asked to change your email address in ${input.workspaceName} on Gatehouse from ${input.currentEmail} to ${input.newEmail}.`,
    'Once you confirm, you sign in with the new address as your username; your password, authenticator app and passkeys stay the same.',
    '',
    `Confirm email address: ${input.confirmUrl}`,
    '',
    `The link works once and expires on ${expires}. Until you confirm, nothing changes.`,
    'If you did not expect this, you can ignore this email.',
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    requesterName: escapeHtml(input.requesterName),
    currentEmail: escapeHtml(input.currentEmail),
    newEmail: escapeHtml(input.newEmail),
    expires: escapeHtml(expires),
    confirmUrl: escapeHtml(input.confirmUrl),
  };
  const html = mailDocument(
    subject,
    mailHeading('Confirm your new email address') +
      mailParagraph(`Hello ${e.displayName},`) +
      mailParagraph(
        `${e.requesterName} asked to change your email address in <strong>${e.workspaceName}</strong> on Gatehouse from ${e.currentEmail} to <strong>${e.newEmail}</strong>. Once you confirm, you sign in with the new address as your username; your password, authenticator app and passkeys stay the same.`,
      ) +
      mailButton(e.confirmUrl, 'Confirm email address') +
      mailSmallPrint(
        `The link works once and expires on ${e.expires}. Until you confirm, nothing changes.<br>${mailButtonFallback(e.confirmUrl)}<br>If you did not expect this, you can ignore this email.`,
      ),
  );
  return { subject, text, html };
}

export interface EmailChangeNoticeMailInput {
  workspaceName: string;
  displayName: string;
  requesterName: string;
  newEmail: string;
}

/** Change email (SPEC §2a): to the OLD address, so a change the person did not expect does not go unseen. */
export const EMAIL_CHANGE_NOTICE_SUBJECT = 'A change of your Gatehouse email address was requested';

export function emailChangeNoticeMail(raw: EmailChangeNoticeMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = EMAIL_CHANGE_NOTICE_SUBJECT;
  const text = [
    `Hello ${input.displayName},`,
    '',
    `${input.requesterName} asked to change your email address in ${input.workspaceName} on Gatehouse to ${input.newEmail}. A confirmation link was sent to that address; until it is opened, nothing changes and you keep signing in with this address.`,
    '',
    `If you did not expect this, tell ${input.requesterName} or another administrator of ${input.workspaceName} right away.`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    requesterName: escapeHtml(input.requesterName),
    newEmail: escapeHtml(input.newEmail),
  };
  const html = mailDocument(
    subject,
    mailHeading('A change of your email address was requested') +
      mailParagraph(`Hello ${e.displayName},`) +
      mailParagraph(
        `${e.requesterName} asked to change your email address in <strong>${e.workspaceName}</strong> on Gatehouse to <strong>${e.newEmail}</strong>. A confirmation link was sent to that address; until it is opened, nothing changes and you keep signing in with this address.`,
      ) +
      mailParagraph(
        `If you did not expect this, tell ${e.requesterName} or another administrator of ${e.workspaceName} right away.`,
        true,
      ),
  );
  return { subject, text, html };
}

export interface OwnershipTransferredMailInput {
  workspaceName: string;
  /** The person the mail is to. */
  displayName: string;
  previousOwnerName: string;
  newOwnerName: string;
  /** True for the new owner's mail, false for the previous owner's. */
  toNewOwner: boolean;
  settingsUrl: string;
}

/** Transfer workspace ownership (SPEC §2a): both people are told, each from their side. */
export const OWNERSHIP_TRANSFERRED_SUBJECT = 'The ownership of your Gatehouse workspace was transferred';

export function ownershipTransferredMail(raw: OwnershipTransferredMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = OWNERSHIP_TRANSFERRED_SUBJECT;
  const what = input.toNewOwner
    ? `${input.previousOwnerName} transferred the ownership of ${input.workspaceName} on Gatehouse to you. You are now its owner; ${input.previousOwnerName} is now an admin.`
    : `You transferred the ownership of ${input.workspaceName} on Gatehouse to ${input.newOwnerName}. ${input.newOwnerName} is now its owner; you are now an admin.`;
  const text = [
    `Hello ${input.displayName},`,
    '',
    what,
    '',
    `Workspace settings: ${input.settingsUrl}`,
    '',
    `If this was not expected, tell the other administrators of ${input.workspaceName} right away.`,
    '',
  ].join('\n');
  const e = {
    displayName: escapeHtml(input.displayName),
    what: escapeHtml(what),
    workspaceName: escapeHtml(input.workspaceName),
    settingsUrl: escapeHtml(input.settingsUrl),
  };
  const html = mailDocument(
    subject,
    mailHeading('Workspace ownership transferred') +
      mailParagraph(`Hello ${e.displayName},`) +
      mailParagraph(e.what) +
      mailParagraph(
        `If this was not expected, tell the other administrators of ${e.workspaceName} right away. Workspace settings: ${mailLink(e.settingsUrl)}`,
        true,
      ),
  );
  return { subject, text, html };
}

export const MEMBER_INVITATION_SUBJECT = "You're invited to join a workspace on Gatehouse";

export interface MemberInvitationMailInput {
  workspaceName: string;
  inviterName: string;
  email: string;
  role: 'admin' | 'member';
  /** `local`: the link opens a page to choose a password; `idp`: it says to sign in through the company's IdP. */
  mode: 'local' | 'idp';
  expiresAt: Date;
  joinUrl: string;
}

/** The **Join workspace** mail (SPEC §2a): a link, never a password; the person chooses their own. */
export function memberInvitationMail(raw: MemberInvitationMailInput): RenderedMail {
  const input = chosen(raw);
  const expires = formatUtc(input.expiresAt);
  const subject = MEMBER_INVITATION_SUBJECT;
  const asRole = input.role === 'admin' ? 'an admin' : 'a member';
  const next =
    input.mode === 'local'
      ? 'The link opens a page where you choose your own password.'
      : "The link tells you how to sign in with your company's identity provider.";

  const text = [
    `${input.inviterName} invited you to join ${input.workspaceName} on Gatehouse as ${asRole}.`,
    '',
    `Workspace: ${input.workspaceName}`,
    `Email: ${input.email}`,
    '',
    `Join workspace: ${input.joinUrl}`,
    '',
    `${next} This invitation expires on ${expires}.`,
    'If you did not expect this invitation, you can ignore this email.',
    '',
  ].join('\n');

  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    inviterName: escapeHtml(input.inviterName),
    email: escapeHtml(input.email),
    expires: escapeHtml(expires),
    joinUrl: escapeHtml(input.joinUrl),
  };
  const html = mailDocument(
    subject,
    mailHeading(`You're invited to join ${e.workspaceName}`) +
      `<tr><td style="padding:8px 32px 16px 32px;${MAIL_FONT}font-size:15px;line-height:22px;color:#333333;">${e.inviterName} invited you (${e.email}) to join <strong>${e.workspaceName}</strong> on Gatehouse as ${asRole}.</td></tr>\n` +
      mailButton(e.joinUrl, 'Join workspace') +
      `<tr><td style="padding:0 32px 8px 32px;${MAIL_FONT}font-size:14px;line-height:20px;color:#333333;">${escapeHtml(next)} This invitation expires on <strong>${e.expires}</strong>.</td></tr>\n` +
      mailSmallPrint(
        `${mailButtonFallback(e.joinUrl, '#1c7ed6')}<br>If you did not expect this invitation, you can ignore this email.`,
      ),
  );
  return { subject, text, html };
}
