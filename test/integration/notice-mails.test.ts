import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { mailsTo, readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, me } from '../helpers/partners.js';
import { TestSmtpServer, type ReceivedMail } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * SPEC §2a: "An email tells a person when a new device was trusted or their MFA was reset." The mails
 * are read as a real SMTP server (this test's) received them; that none was queued is read from the
 * outbox itself, which the change that would cause a mail writes in its own transaction.
 */

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const TRUSTED_SUBJECT = 'A new device was trusted on your Gatehouse account';
const MFA_RESET_SUBJECT = 'Your multi-factor authentication on Gatehouse was reset';
const GUEST = 'gail@agency.test';

let smtp: TestSmtpServer;
let t: TestApp;
let owner: TestClient;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
});
afterAll(async () => {
  await smtp.close();
});
beforeEach(async () => {
  smtp.messages.length = 0;
  t = await createTestApp({ smtpUrl: smtp.url, env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.example.com' } });
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

/** Every mail of a kind the outbox holds (queued or sent), oldest first: what the server decided to send. */
const queued = async (kind: string) =>
  t.database.db
    .selectFrom('outbox')
    .select(['recipient', 'subject'])
    .where('kind', '=', kind)
    .orderBy('created_at')
    .orderBy('id')
    .execute();

const trustedMailsTo = (to: string) => mailsTo(smtp, to).filter((m) => m.subject === TRUSTED_SUBJECT);
const waitForTrustedMail = (to: string, n = 1): Promise<ReceivedMail> =>
  waitFor(() => trustedMailsTo(to)[n - 1], `device-trusted mail number ${n} to ${to}`);

/** Another browser of the owner's: a fresh cookie jar, signed in with the password. */
async function ownerBrowser(ip: string): Promise<TestClient> {
  const client = t.client({ userAgent: CHROME_LINUX, ip });
  const response = await client.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: OWNER.email,
    password: OWNER.password,
  });
  expect(response.statusCode, response.body).toBe(200);
  return client;
}

const register = async (client: TestClient, name: string) => {
  const response = await client.post('/api/v1/devices', { name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().device as { id: string; status: string };
};

/** The owner's first browser, trusted with the mailed code (the n-th code mail to the owner). */
async function trustedLaptop(codeMail = 1): Promise<TestClient> {
  const laptop = await ownerBrowser('203.0.113.5');
  expect((await register(laptop, 'Ada laptop')).status).toBe('pending_verification');
  const code = await waitForDeviceCode(smtp, OWNER.email, codeMail);
  const verified = await laptop.post('/api/v1/devices/current/verify', { code });
  expect(verified.statusCode, verified.body).toBe(200);
  return laptop;
}

describe('a device became trusted', () => {
  it('by the mailed code: the person is told its name, kind, when and from where; nothing while it waits or after a wrong code', async () => {
    const laptop = await ownerBrowser('203.0.113.5');
    expect((await register(laptop, 'Ada laptop')).status).toBe('pending_verification');
    const code = await waitForDeviceCode(smtp, OWNER.email);
    const wrong = await laptop.post('/api/v1/devices/current/verify', {
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(422);
    // Registered, code sent, one wrong try: the device is not trusted, and nobody is told it is.
    expect(await queued('device-trusted')).toEqual([]);

    const verified = await laptop.post('/api/v1/devices/current/verify', { code });
    expect(verified.statusCode, verified.body).toBe(200);
    const mail = await waitForTrustedMail(OWNER.email);
    expect(mail.text).toMatch(
      /^A new device was trusted: Ada laptop \(web browser\), on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC, from the address 203\.0\.113\.5, for Acme Inc on Gatehouse\.$/m,
    );
    expect(mail.text).toContain(
      'If this was not you, remove it on My trusted devices and change your password: https://gatehouse.example.com/app/devices',
    );
    expect(mail.html).toContain('<strong>Ada laptop</strong> (web browser)');
    expect(mail.html).toContain('href="https://gatehouse.example.com/app/devices"');
    // Once, to the person only.
    expect(await queued('device-trusted')).toEqual([{ recipient: OWNER.email, subject: TRUSTED_SUBJECT }]);
  });

  it('approved from another trusted device: told about the new one; a denied device tells nothing', async () => {
    const laptop = await trustedLaptop();
    await waitForTrustedMail(OWNER.email, 1);

    const phone = await ownerBrowser('198.51.100.23');
    const pendingPhone = await register(phone, 'Ada phone');
    expect(pendingPhone.status).toBe('pending_approval');
    const stranger = await ownerBrowser('192.0.2.66');
    const pendingStranger = await register(stranger, 'Unknown PC');
    expect(pendingStranger.status).toBe('pending_approval');
    // Waiting for approval is not being trusted.
    expect(await queued('device-trusted')).toHaveLength(1);

    const denied = await laptop.post(`/api/v1/devices/${pendingStranger.id}/deny`);
    expect(denied.statusCode, denied.body).toBe(200);
    expect(await queued('device-trusted')).toHaveLength(1);

    const approved = await laptop.post(`/api/v1/devices/${pendingPhone.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    const mail = await waitForTrustedMail(OWNER.email, 2);
    // The new device's own address: where it was set up, not where it was approved from.
    expect(mail.text).toContain('A new device was trusted: Ada phone (web browser), on ');
    expect(mail.text).toContain('from the address 198.51.100.23');
    expect(await queued('device-trusted')).toHaveLength(2);
    expect(trustedMailsTo(OWNER.email).some((m) => m.text.includes('Unknown PC'))).toBe(false);
  });

  it('a client app connected from a trusted session: its name, its kind and the address it connected from', async () => {
    const laptop = await trustedLaptop();
    const extension = t.client({ userAgent: CHROME_LINUX, ip: '198.51.100.40' });
    const started = await extension.post('/api/v1/connect/start', { kind: 'extension' });
    expect(started.statusCode, started.body).toBe(200);
    const { userCode } = started.json() as { userCode: string };
    const approved = await laptop.post(`/api/v1/connect/requests/${userCode}/approve`, {
      deviceName: 'Ada extension',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const mail = await waitForTrustedMail(OWNER.email, 2);
    expect(mail.text).toContain('A new device was trusted: Ada extension (browser extension), on ');
    expect(mail.text).toContain('from the address 198.51.100.40');
  });

  it('an untrusted session approving a connection tells nothing until the app’s code is entered', async () => {
    await turnOnMfa(owner);
    const extension = t.client({ userAgent: CHROME_LINUX, ip: '198.51.100.41' });
    const started = await extension.post('/api/v1/connect/start', { kind: 'extension' });
    const { userCode } = started.json() as { userCode: string };
    const approved = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'Ada ext' });
    expect(approved.statusCode, approved.body).toBe(200);
    // The device waits for the code mailed to the person: not trusted yet, no notice.
    await waitForDeviceCode(smtp, OWNER.email);
    expect(await queued('device-trusted')).toEqual([]);
  });
});

describe('MFA was reset', () => {
  it('mails the person whose factors were removed, and nobody when there was nothing to reset', async () => {
    await turnOnMfa(owner);
    const partner = await createPartner(owner, 'Agency', GUEST, [(await me(owner)).user.id]);
    expect(partner.id).toBeTruthy();
    const guest = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GUEST)));
    const guestId = (await me(guest)).user.id;

    // Nothing to reset: refused, and no mail.
    const nothing = await owner.post(`/api/v1/members/${guestId}/reset-mfa`);
    expect(nothing.statusCode).toBe(409);
    expect(await queued('mfa-reset')).toEqual([]);

    await turnOnMfa(guest);
    const reset = await owner.post(`/api/v1/members/${guestId}/reset-mfa`);
    expect(reset.statusCode, reset.body).toBe(204);
    const mail = await waitFor(
      () => mailsTo(smtp, GUEST).find((m) => m.subject === MFA_RESET_SUBJECT),
      'the MFA reset mail to the guest',
    );
    expect(mail.text).toContain(`${OWNER.displayName} reset your multi-factor authentication (MFA) for Acme Inc`);
    expect(await queued('mfa-reset')).toEqual([{ recipient: GUEST, subject: MFA_RESET_SUBJECT }]);
    expect(mailsTo(smtp, OWNER.email).some((m) => m.subject === MFA_RESET_SUBJECT)).toBe(false);
  });
});
