/**
 * Mails about a password: changed, Forgot your password? (the link, the idp answer, the done notice), a
 * guest's password reset by an admin, and the operator's break-glass reset.
 */

import { chosen, escapeHtml, mailDocument, type RenderedMail } from './templates.js';

export interface PasswordChangedMailInput {
  workspaceName: string;
  displayName: string;
  ip: string | null;
  securityUrl: string;
}

/** Sent when a person changes their own password (issue 11): if it was not them, they know at once. */
export const PASSWORD_CHANGED_SUBJECT = 'Your Gatehouse password was changed';

export function passwordChangedMail(raw: PasswordChangedMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = PASSWORD_CHANGED_SUBJECT;
  const from = input.ip ? ` from the address ${input.ip}` : '';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `Your password for ${input.workspaceName} on Gatehouse was changed${from}. Every other session of yours was signed out.`,
    '',
    `If you did not change it, tell an administrator of ${input.workspaceName} right away. Your sessions and devices: ${input.securityUrl}`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    from: escapeHtml(from),
    securityUrl: escapeHtml(input.securityUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Your password was changed</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Your password for <strong>${e.workspaceName}</strong> on Gatehouse was changed${e.from}. Every other session of yours was signed out.</td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:15px;line-height:22px;color:#333333;">If you did not change it, tell an administrator of ${e.workspaceName} right away. Your sessions and devices: <a href="${e.securityUrl}" style="color:#1864ab;word-break:break-all;">${e.securityUrl}</a></td></tr>
`,
  );
  return { subject, text, html };
}

export interface PasswordResetMailInput {
  workspaceName: string;
  displayName: string;
  resetUrl: string;
  validMinutes: number;
  /** Where the request came from, so a person who did not ask can tell. */
  ip: string | null;
}

/** **Forgot your password?** (SPEC §2a): the reset link. The link is in the body only, never the subject. */
export const PASSWORD_RESET_SUBJECT = 'Reset your Gatehouse password';

export function passwordResetMail(raw: PasswordResetMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = PASSWORD_RESET_SUBJECT;
  const from = input.ip ? ` from the address ${input.ip}` : '';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `Someone${from} asked to reset your password for ${input.workspaceName} on Gatehouse.`,
    '',
    `Choose a new password: ${input.resetUrl}`,
    '',
    `The link works once, for ${input.validMinutes} minutes. Choosing a new password signs you out everywhere; you still confirm your second factor when you sign in again.`,
    'If you did not ask for this, ignore this email: your password stays as it is.',
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    from: escapeHtml(from),
    resetUrl: escapeHtml(input.resetUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Reset your password</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Someone${e.from} asked to reset your password for <strong>${e.workspaceName}</strong> on Gatehouse.</td></tr>
<tr><td style="padding:8px 32px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" bgcolor="#1c7ed6" style="border-radius:6px;background-color:#1c7ed6;">
<a href="${e.resetUrl}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${font}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Choose a new password</a>
</td></tr>
</table>
</td></tr>
<tr><td style="padding:0 32px 8px 32px;${font}font-size:14px;line-height:20px;color:#333333;">The link works once, for ${input.validMinutes} minutes. Choosing a new password signs you out everywhere; you still confirm your second factor when you sign in again.</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If the button does not work, open this link: <a href="${e.resetUrl}" style="color:#1c7ed6;word-break:break-all;">${e.resetUrl}</a><br>If you did not ask for this, ignore this email: your password stays as it is.</td></tr>
`,
  );
  return { subject, text, html };
}

export interface PasswordResetIdpMailInput {
  workspaceName: string;
  displayName: string;
  signInUrl: string;
  ip: string | null;
}

/**
 * **Forgot your password?** asked by a member of an `idp` workspace: Gatehouse holds no password of
 * theirs to reset, so the mail sends them to the company's identity provider (no link to reset anything).
 */
export function passwordResetIdpMail(raw: PasswordResetIdpMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = PASSWORD_RESET_SUBJECT;
  const from = input.ip ? ` from the address ${input.ip}` : '';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `Someone${from} asked to reset your password for ${input.workspaceName} on Gatehouse.`,
    '',
    `You sign in to ${input.workspaceName} through your company's identity provider, so there is no Gatehouse password to reset. Sign in there: ${input.signInUrl}`,
    "If you forgot that password, your company's IT help desk can reset it.",
    '',
    'If you did not ask for this, you can ignore this email.',
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    from: escapeHtml(from),
    signInUrl: escapeHtml(input.signInUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Sign in through your company</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Someone${e.from} asked to reset your password for <strong>${e.workspaceName}</strong> on Gatehouse.</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">You sign in to ${e.workspaceName} through your company's identity provider, so there is no Gatehouse password to reset. Sign in there: <a href="${e.signInUrl}" style="color:#1864ab;word-break:break-all;">${e.signInUrl}</a></td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If you forgot that password, your company's IT help desk can reset it. If you did not ask for this, you can ignore this email.</td></tr>
`,
  );
  return { subject, text, html };
}

export interface PasswordResetDoneMailInput {
  workspaceName: string;
  displayName: string;
  ip: string | null;
  signInUrl: string;
}

/** After a reset link was used: the password changed and every session ended. */
export function passwordResetDoneMail(raw: PasswordResetDoneMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = PASSWORD_CHANGED_SUBJECT;
  const from = input.ip ? ` from the address ${input.ip}` : '';
  const text = [
    `Hello ${input.displayName},`,
    '',
    `Your password for ${input.workspaceName} on Gatehouse was changed${from}, with a reset link sent to this address. Every session of yours was signed out, client apps included.`,
    '',
    `Sign in again: ${input.signInUrl}`,
    '',
    `If you did not change it, tell an administrator of ${input.workspaceName} right away.`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    from: escapeHtml(from),
    signInUrl: escapeHtml(input.signInUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Your password was changed</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Your password for <strong>${e.workspaceName}</strong> on Gatehouse was changed${e.from}, with a reset link sent to this address. Every session of yours was signed out, client apps included.</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Sign in again: <a href="${e.signInUrl}" style="color:#1864ab;word-break:break-all;">${e.signInUrl}</a></td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:15px;line-height:22px;color:#333333;">If you did not change it, tell an administrator of ${e.workspaceName} right away.</td></tr>
`,
  );
  return { subject, text, html };
}

export interface GuestPasswordResetMailInput {
  workspaceName: string;
  partnerName: string;
  displayName: string;
  /** The host admin or guest admin who reset it. */
  adminName: string;
  username: string;
  temporaryPassword: string;
  signInUrl: string;
}

/**
 * **Reset password** for a guest (SPEC §2a): a new temporary password, as on invitation. The person who
 * reset it never sees it; the guest chooses their own at their next sign-in, after their second factor.
 */
export const GUEST_PASSWORD_RESET_SUBJECT = 'Your Gatehouse password was reset: a new temporary password';

export function guestPasswordResetMail(raw: GuestPasswordResetMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = GUEST_PASSWORD_RESET_SUBJECT;
  const text = [
    `Hello ${input.displayName},`,
    '',
    `${input.adminName} reset your password for ${input.workspaceName} on Gatehouse, where you are a guest of ${input.partnerName}. Your old password no longer works, and you were signed out everywhere.`,
    '',
    `Workspace: ${input.workspaceName}`,
    `Username: ${input.username}`,
    `Temporary password: ${input.temporaryPassword}`,
    '',
    `Sign in: ${input.signInUrl}`,
    '',
    'When you sign in, you confirm with your second factor as before, then choose your own password.',
    `If you did not ask for this, tell ${input.adminName} or another host admin of ${input.partnerName} right away.`,
    '',
  ].join('\n');

  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    partnerName: escapeHtml(input.partnerName),
    displayName: escapeHtml(input.displayName),
    adminName: escapeHtml(input.adminName),
    username: escapeHtml(input.username),
    temporaryPassword: escapeHtml(input.temporaryPassword),
    signInUrl: escapeHtml(input.signInUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const label = `${font}font-size:14px;color:#555555;padding:4px 16px 4px 0;`;
  const value = `font-family:Menlo,Consolas,monospace;font-size:15px;color:#111111;padding:4px 0;`;
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Your password was reset</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${e.adminName} reset your password for <strong>${e.workspaceName}</strong> on Gatehouse, where you are a guest of ${e.partnerName}. Your old password no longer works, and you were signed out everywhere.</td></tr>
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
<a href="${e.signInUrl}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${font}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Sign in</a>
</td></tr>
</table>
</td></tr>
<tr><td style="padding:0 32px 8px 32px;${font}font-size:14px;line-height:20px;color:#333333;">When you sign in, you confirm with your second factor as before, then choose your own password.</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If you did not ask for this, tell ${e.adminName} or another host admin of ${e.partnerName} right away.<br>If the button does not work, open this link: <a href="${e.signInUrl}" style="color:#1864ab;word-break:break-all;">${e.signInUrl}</a></td></tr>
`,
  );
  return { subject, text, html };
}

export interface PasswordResetByOperatorMailInput {
  workspaceName: string;
  displayName: string;
  signInUrl: string;
}

/**
 * `gatehouse users reset-password` (break-glass): the operator was given a temporary password to hand
 * on; the person is told, without it, so that a reset they did not ask for does not go unnoticed.
 */
export const PASSWORD_RESET_BY_OPERATOR_SUBJECT = 'Your Gatehouse password was reset';

export function passwordResetByOperatorMail(raw: PasswordResetByOperatorMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = PASSWORD_RESET_BY_OPERATOR_SUBJECT;
  const text = [
    `Hello ${input.displayName},`,
    '',
    `The operator of your workspace's Gatehouse server reset your password for ${input.workspaceName}. Your old password no longer works, and you were signed out everywhere.`,
    '',
    `The operator hands you a temporary password; sign in with it, confirm with your second factor, then choose your own: ${input.signInUrl}`,
    '',
    `If you did not ask for this, tell an administrator of ${input.workspaceName} right away.`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    signInUrl: escapeHtml(input.signInUrl),
  };
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">Your password was reset</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">Hello ${e.displayName},</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">The operator of your workspace's Gatehouse server reset your password for <strong>${e.workspaceName}</strong>. Your old password no longer works, and you were signed out everywhere.</td></tr>
<tr><td style="padding:8px 32px 8px 32px;${font}font-size:15px;line-height:22px;color:#333333;">The operator hands you a temporary password; sign in with it, confirm with your second factor, then choose your own: <a href="${e.signInUrl}" style="color:#1864ab;word-break:break-all;">${e.signInUrl}</a></td></tr>
<tr><td style="padding:8px 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If you did not ask for this, tell an administrator of ${e.workspaceName} right away.</td></tr>
`,
  );
  return { subject, text, html };
}
