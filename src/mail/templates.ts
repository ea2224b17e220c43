/**
 * Mail bodies, as plain text and HTML. Every value put into HTML goes through escapeHtml; the HTML uses
 * tables and inline styles only, which is what mail clients render reliably.
 */

import { neutraliseUnsafeCharacters } from '../domain/text.js';
import { formatUtc } from '../domain/time.js';

export { formatUtc };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * The HTML document every mail shares: a grey page and a white 560-pixel card; `rows` are the card's
 * table rows (`<tr>…</tr>`), already escaped.
 */
export function mailDocument(subject: string, rows: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;width:100%;background-color:#ffffff;border-radius:8px;">
${rows}</table>
</td></tr>
</table>
</body>
</html>
`;
}

/**
 * Text a person chose (names of the workspace, partner, inviter, device): shown as written, except that
 * a character that would break the line or reorder the text, stored before names were checked, shows as
 * U+FFFD. Subjects hold none of it: a subject is what a mail client lists and trusts most, so each is a
 * fixed sentence.
 */
export function chosen<T extends object>(input: T): T {
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [
      key,
      typeof value === 'string' ? neutraliseUnsafeCharacters(value) : value,
    ]),
  ) as T;
}

export interface InvitationMailInput {
  workspaceName: string;
  partnerName: string;
  inviterName: string;
  username: string;
  temporaryPassword: string;
  expiresAt: Date;
  joinUrl: string;
}

export const INVITATION_SUBJECT = "You're invited to join a workspace on Gatehouse";

export function invitationMail(raw: InvitationMailInput): RenderedMail {
  const input = chosen(raw);
  const expires = formatUtc(input.expiresAt);
  const subject = INVITATION_SUBJECT;

  const text = [
    `${input.inviterName} invited you to join ${input.workspaceName} on Gatehouse, as a guest of ${input.partnerName}.`,
    '',
    `Workspace: ${input.workspaceName}`,
    `Username: ${input.username}`,
    `Temporary password: ${input.temporaryPassword}`,
    '',
    `Join as a guest: ${input.joinUrl}`,
    '',
    `This invitation expires on ${expires}. You will choose your own password when you first sign in.`,
    'If you did not expect this invitation, you can ignore this email.',
    '',
  ].join('\n');

  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    partnerName: escapeHtml(input.partnerName),
    inviterName: escapeHtml(input.inviterName),
    username: escapeHtml(input.username),
    temporaryPassword: escapeHtml(input.temporaryPassword),
    expires: escapeHtml(expires),
    joinUrl: escapeHtml(input.joinUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const label = `${font}font-size:14px;color:#555555;padding:4px 16px 4px 0;`;
  const value = `font-family:Menlo,Consolas,monospace;font-size:15px;color:#111111;padding:4px 0;`;

  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">You're invited to join ${e.workspaceName}</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${e.inviterName} invited you to join <strong>${e.workspaceName}</strong> on Gatehouse, as a guest of ${e.partnerName}.</td></tr>
<tr><td style="padding:0 32px 16px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td style="${label}">Workspace</td><td style="${value}">${e.workspaceName}</td></tr>
<tr><td style="${label}">Username</td><td style="${value}">${e.username}</td></tr>
<tr><td style="${label}">Temporary password</td><td style="${value}">${e.temporaryPassword}</td></tr>
</table>
</td></tr>
<tr><td style="padding:8px 32px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" bgcolor="#1c7ed6" style="border-radius:6px;background-color:#1c7ed6;">
<a href="${e.joinUrl}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${font}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Join as a guest</a>
</td></tr>
</table>
</td></tr>
<tr><td style="padding:0 32px 8px 32px;${font}font-size:14px;line-height:20px;color:#333333;">This invitation expires on <strong>${e.expires}</strong>. You will choose your own password when you first sign in.</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If the button does not work, open this link: <a href="${e.joinUrl}" style="color:#1c7ed6;word-break:break-all;">${e.joinUrl}</a><br>If you did not expect this invitation, you can ignore this email.</td></tr>
`,
  );
  return { subject, text, html };
}

export interface DeviceCodeMailInput {
  workspaceName: string;
  deviceName: string;
  code: string;
  validMinutes: number;
  /** Where the request came from, so a person who did not ask can tell. */
  ip: string | null;
}

/** The code that verifies a new trusted device (SPEC §6). The code is in the body only, never the subject. */
export const DEVICE_CODE_SUBJECT = 'Your code to trust a new device on Gatehouse';

export function deviceCodeMail(raw: DeviceCodeMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = DEVICE_CODE_SUBJECT;
  const from = input.ip ? ` from ${input.ip}` : '';
  const text = [
    `Someone signed in as you to ${input.workspaceName} on Gatehouse${from} and asked to trust the device "${input.deviceName}".`,
    '',
    `Code: ${input.code}`,
    '',
    `Enter it on the Set up a trusted session page. It is valid for ${input.validMinutes} minutes.`,
    'If this was not you, do not share the code: change your password and tell your administrator.',
    '',
  ].join('\n');

  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    deviceName: escapeHtml(input.deviceName),
    code: escapeHtml(input.code),
    from: escapeHtml(from),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Trust a new device</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Someone signed in as you to <strong>${e.workspaceName}</strong> on Gatehouse${e.from} and asked to trust the device <strong>${e.deviceName}</strong>.</td></tr>
<tr><td style="padding:8px 32px 16px 32px;font-family:Menlo,Consolas,monospace;font-size:32px;letter-spacing:6px;font-weight:bold;color:#111111;">${e.code}</td></tr>
<tr><td style="padding:0 32px 8px 32px;${font}font-size:14px;line-height:20px;color:#333333;">Enter it on the <strong>Set up a trusted session</strong> page. It is valid for ${input.validMinutes} minutes.</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If this was not you, do not share the code: change your password and tell your administrator.</td></tr>
`,
  );
  return { subject, text, html };
}

export interface MfaResetMailInput {
  workspaceName: string;
  displayName: string;
  /**
   * Who reset it: shown so the person knows whom to ask if they did not expect it. Null when the
   * server's operator did it from the command line (`gatehouse users reset-mfa`).
   */
  adminName: string | null;
  signInUrl: string;
}

/** Reset MFA (SPEC §5): the person's second factors were removed by an admin; they must enrol again. */
export const MFA_RESET_SUBJECT = 'Your multi-factor authentication on Gatehouse was reset';

export function mfaResetMail(raw: MfaResetMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = MFA_RESET_SUBJECT;
  const who = input.adminName ?? "The operator of your workspace's Gatehouse server";
  const tell = input.adminName ? `${input.adminName} or another administrator` : 'an administrator';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `${who} reset your multi-factor authentication (MFA) for ${input.workspaceName} on Gatehouse.`,
    'Your authenticator app, passkeys and recovery codes no longer work, and you were signed out everywhere.',
    '',
    `Sign in again with your username and password, then turn on MFA again: ${input.signInUrl}`,
    '',
    `If you did not ask for this, tell ${tell} of ${input.workspaceName} right away.`,
    '',
  ].join('\n');

  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    adminName: escapeHtml(who),
    tell: escapeHtml(tell),
    signInUrl: escapeHtml(input.signInUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Your MFA was reset</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${e.adminName} reset your multi-factor authentication (MFA) for <strong>${e.workspaceName}</strong> on Gatehouse. Your authenticator app, passkeys and recovery codes no longer work, and you were signed out everywhere.</td></tr>
<tr><td style="padding:0 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Sign in again with your username and password, then turn on MFA again.</td></tr>
<tr><td style="padding:8px 32px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" bgcolor="#1c7ed6" style="border-radius:6px;background-color:#1c7ed6;">
<a href="${e.signInUrl}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${font}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Sign in</a>
</td></tr>
</table>
</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If you did not ask for this, tell ${e.tell} of ${e.workspaceName} right away.<br>If the button does not work, open this link: <a href="${e.signInUrl}" style="color:#1c7ed6;word-break:break-all;">${e.signInUrl}</a></td></tr>
`,
  );
  return { subject, text, html };
}

export interface InvitationWithheldMailInput {
  workspaceName: string;
  partnerName: string;
  /** The guest admin who tried to invite. */
  inviterName: string;
  /** The address they tried: already a guest of another partner, or a member of the workspace. */
  email: string;
  /** Why it was not sent. */
  reason: 'guest_of_another_partner' | 'member';
  partnerUrl: string;
}

/**
 * To a partner's host admins (issue 11): one of its guest admins tried to invite someone who is already
 * the guest of another partner. The guest admin is not told (that would reveal another partner's guest);
 * the host admins, who may know, decide what to do.
 */
export const INVITATION_WITHHELD_SUBJECT = 'A guest invitation was not sent';

export function invitationWithheldMail(raw: InvitationWithheldMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = INVITATION_WITHHELD_SUBJECT;
  const why =
    input.reason === 'member'
      ? `${input.email} belongs to a member of ${input.workspaceName}, who cannot also be a guest, so Gatehouse did not send the invitation.`
      : `${input.email} is already the guest of another partner, and a person can be the guest of one partner only, so Gatehouse did not send the invitation.`;
  const next =
    input.reason === 'member'
      ? `If the partner should work with this person, share what they need with them as a member instead`
      : `If ${input.partnerName} should have this person, remove them from the other partner first, then invite them`;
  const text = [
    `${input.inviterName}, guest admin of ${input.partnerName} in ${input.workspaceName}, tried to invite ${input.email}.`,
    '',
    `${why} ${input.inviterName} was not told why.`,
    '',
    `${next}: ${input.partnerUrl}`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    partnerName: escapeHtml(input.partnerName),
    inviterName: escapeHtml(input.inviterName),
    email: escapeHtml(input.email),
    partnerUrl: escapeHtml(input.partnerUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">A guest invitation was not sent</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${e.inviterName}, guest admin of <strong>${e.partnerName}</strong> in ${e.workspaceName}, tried to invite <strong>${e.email}</strong>.</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${escapeHtml(why)} ${e.inviterName} was not told why.</td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${escapeHtml(next)}: <a href="${e.partnerUrl}" style="color:#1864ab;word-break:break-all;">${e.partnerUrl}</a></td></tr>
`,
  );
  return { subject, text, html };
}

export const MAIL_FONT = 'font-family:Arial,Helvetica,sans-serif;';
export const mailHeading = (text: string) =>
  `<tr><td style="padding:32px 32px 8px 32px;${MAIL_FONT}font-size:20px;font-weight:bold;color:#111111;">${text}</td></tr>\n`;
export const mailParagraph = (html: string, last = false) =>
  `<tr><td style="padding:8px 32px ${last ? 32 : 8}px 32px;${MAIL_FONT}font-size:15px;line-height:22px;color:#333333;">${html}</td></tr>\n`;
export const mailButton = (url: string, label: string) => `<tr><td style="padding:8px 32px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" bgcolor="#1c7ed6" style="border-radius:6px;background-color:#1c7ed6;">
<a href="${url}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${MAIL_FONT}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${label}</a>
</td></tr>
</table>
</td></tr>
`;

export interface DeviceTrustedMailInput {
  workspaceName: string;
  displayName: string;
  deviceName: string;
  /** "web browser", "browser extension", "command line". */
  kindName: string;
  trustedAt: Date;
  /** The address the device was set up from, when known. */
  ip: string | null;
  devicesUrl: string;
}

/** SPEC §2a: a person is told when a device of theirs became trusted, so a stranger's device is noticed. */
export const DEVICE_TRUSTED_SUBJECT = 'A new device was trusted on your Gatehouse account';

export function deviceTrustedMail(raw: DeviceTrustedMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = DEVICE_TRUSTED_SUBJECT;
  const when = formatUtc(input.trustedAt);
  const from = input.ip ? `, from the address ${input.ip}` : '';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `A new device was trusted: ${input.deviceName} (${input.kindName}), on ${when}${from}, for ${input.workspaceName} on Gatehouse.`,
    '',
    `If this was not you, remove it on My trusted devices and change your password: ${input.devicesUrl}`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    deviceName: escapeHtml(input.deviceName),
    kindName: escapeHtml(input.kindName),
    when: escapeHtml(when),
    from: escapeHtml(from),
    devicesUrl: escapeHtml(input.devicesUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">A new device was trusted</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">A new device was trusted: <strong>${e.deviceName}</strong> (${e.kindName}), on ${e.when}${e.from}, for <strong>${e.workspaceName}</strong> on Gatehouse.</td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:15px;line-height:22px;color:#333333;">If this was not you, remove it on <a href="${e.devicesUrl}" style="color:#1864ab;">My trusted devices</a> and change your password.</td></tr>
`,
  );
  return { subject, text, html };
}
