import { chosen, escapeHtml, formatUtc, mailDocument, type RenderedMail } from './templates.js';

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
  const font = 'font-family:Arial,Helvetica,sans-serif;';
  const html = mailDocument(
    subject,
    `<tr><td style="padding:32px 32px 8px 32px;${font}font-size:20px;font-weight:bold;color:#111111;">You're invited to join ${e.workspaceName}</td></tr>
<tr><td style="padding:8px 32px 16px 32px;${font}font-size:15px;line-height:22px;color:#333333;">${e.inviterName} invited you (${e.email}) to join <strong>${e.workspaceName}</strong> on Gatehouse as ${asRole}.</td></tr>
<tr><td style="padding:8px 32px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" bgcolor="#1c7ed6" style="border-radius:6px;background-color:#1c7ed6;">
<a href="${e.joinUrl}" target="_blank" rel="noopener" style="display:inline-block;padding:12px 24px;${font}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">Join workspace</a>
</td></tr>
</table>
</td></tr>
<tr><td style="padding:0 32px 8px 32px;${font}font-size:14px;line-height:20px;color:#333333;">${escapeHtml(next)} This invitation expires on <strong>${e.expires}</strong>.</td></tr>
<tr><td style="padding:0 32px 32px 32px;${font}font-size:13px;line-height:19px;color:#666666;">If the button does not work, open this link: <a href="${e.joinUrl}" style="color:#1c7ed6;word-break:break-all;">${e.joinUrl}</a><br>If you did not expect this invitation, you can ignore this email.</td></tr>
`,
  );
  return { subject, text, html };
}
