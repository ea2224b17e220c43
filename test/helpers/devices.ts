import { mailsTo } from './invitation-mail.js';
import { type ReceivedMail, type TestSmtpServer } from './smtp.js';
import { waitFor } from './wait.js';

/** The subject of every device-code mail (the code itself is only in the body). */
export const DEVICE_CODE_SUBJECT = /^Your code to trust a new device on Gatehouse$/;

/** The mails with a device code the SMTP server received for `to`, in order. */
export function deviceCodeMailsTo(smtp: TestSmtpServer, to: string): ReceivedMail[] {
  return mailsTo(smtp, to).filter((mail) => DEVICE_CODE_SUBJECT.test(mail.subject));
}

/** Reads the 6-digit code from a device-code mail, checking that both parts hold the same one. */
export function readDeviceCode(mail: ReceivedMail): string {
  const code = /^Code: (\d{6})$/m.exec(mail.text)?.[1];
  if (!code) throw new Error(`no device code in:\n${mail.text}`);
  if (!mail.html.includes(`>${code}<`)) throw new Error(`the HTML part does not show ${code}`);
  return code;
}

/** Waits for the n-th device-code mail to `to` and returns its code. */
export async function waitForDeviceCode(smtp: TestSmtpServer, to: string, n = 1, timeoutMs = 30_000): Promise<string> {
  const mail = await waitFor(
    () => deviceCodeMailsTo(smtp, to)[n - 1],
    `device-code mail number ${n} to ${to}`,
    timeoutMs,
  );
  return readDeviceCode(mail);
}
