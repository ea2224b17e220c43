import { parseInvitation, type ReceivedInvitation } from './partners.js';
import { type ReceivedMail, type TestSmtpServer } from './smtp.js';
import { waitFor } from './wait.js';

/** An invitation as its recipient reads it in a received mail: both parts, checked against each other. */
export interface InvitationMail extends ReceivedInvitation {
  mail: ReceivedMail;
  /** "Workspace: …" in the text part. */
  workspaceName: string;
  /** "This invitation expires on …" (e.g. "28 November 2026, 07:45 UTC"). */
  expires: string;
  /** The href of the HTML part's **Join as a guest** button. */
  buttonUrl: string;
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_all, name: string) => HTML_ENTITIES[name]!);
}

/** Reads username, temporary password, links, workspace name and expiry from an invitation mail. */
export function readInvitationMail(mail: ReceivedMail): InvitationMail {
  const invitation = parseInvitation(mail.text);
  const workspaceName = /^Workspace: (.+)$/m.exec(mail.text)?.[1]?.trim();
  const expires = /This invitation expires on (.+?)\. /.exec(mail.text)?.[1];
  const button = /<a\s[^>]*href="([^"]+)"[^>]*>\s*Join as a guest\s*<\/a>/.exec(mail.html)?.[1];
  if (!workspaceName || !expires || !button) {
    throw new Error(`incomplete invitation mail:\n${mail.text}\n${mail.html}`);
  }
  return { ...invitation, mail, workspaceName, expires, buttonUrl: decodeEntities(button) };
}

/** The mails the server received for one recipient, in order. */
export function mailsTo(smtp: TestSmtpServer, to: string): ReceivedMail[] {
  return smtp.messages.filter((m) => m.to.some((address) => address.toLowerCase() === to.toLowerCase()));
}

/** Waits until the SMTP server has received the n-th (default: first) mail for `to`, and returns it. */
export async function waitForMailTo(
  smtp: TestSmtpServer,
  to: string,
  n = 1,
  timeoutMs = 30_000,
): Promise<ReceivedMail> {
  const mails = await waitFor(
    () => {
      const received = mailsTo(smtp, to);
      return received.length >= n ? received : null;
    },
    `mail number ${n} to ${to}`,
    timeoutMs,
  );
  return mails[n - 1]!;
}
