import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { mailsTo, readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { addMember, completeFirstSignIn, createPartner, me } from '../helpers/partners.js';
import { TestSmtpServer, type ReceivedMail } from '../helpers/smtp.js';
import { ACCOUNT } from '../helpers/vault.js';
import { waitFor } from '../helpers/wait.js';

/**
 * SPEC §8a's email notifications, read as a real SMTP server received them: an account shared with a
 * person (a member, a partner's guest admin, a guest user it is passed on to), an account's owners when a
 * manager passes it on, a sponsor when their guest joins, a device waiting for approval. Nobody is told of
 * their own action; what a person turned off is not sent; security mail cannot be turned off. One
 * workspace is set up once and the cases run in order on it (each counts only the mail it causes).
 */

const PUBLIC_URL = 'https://gatehouse.example.com';
const GAIL = 'gail@agency.test';
const GUS = 'gus@agency.test';
const MIA = 'mia@acme.test';
const SUBJECTS = {
  shared: 'An account was shared with you on Gatehouse',
  passedOn: 'An account you own was passed on on Gatehouse',
  joined: 'A guest you invited joined Gatehouse',
  deviceWaiting: 'A new device waits for your approval on Gatehouse',
};

let smtp: TestSmtpServer;
let t: TestApp;
let owner: TestClient;
let gail: TestClient;
let gus: TestClient;
let mia: TestClient;
let ids: { owner: string; gail: string; gus: string; mia: string; partner: string; account: string };

/** What the server decided to send: every notification of a kind in the outbox, oldest first. */
const queued = async (kind: string) =>
  (
    await t.database.db
      .selectFrom('outbox')
      .select(['recipient'])
      .where('kind', '=', `notification:${kind}`)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  ).map((row) => row.recipient);

const withSubject = (to: string, subject: string) => mailsTo(smtp, to).filter((m) => m.subject === subject);
const waitForNotice = (to: string, subject: string, n = 1): Promise<ReceivedMail> =>
  waitFor(() => withSubject(to, subject)[n - 1], `"${subject}" number ${n} to ${to}`);

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  t = await createTestApp({ smtpUrl: smtp.url, env: { GATEHOUSE_PUBLIC_URL: PUBLIC_URL } });
  owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  const partner = await createPartner(owner, 'Agency Ltd', GAIL, [ownerId]);
  gail = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GAIL)), {
    givenName: 'Gail',
    familyName: 'Admin',
  });
  const invited = await gail.post(`/api/v1/partners/${partner.id}/guests`, { email: GUS });
  expect(invited.statusCode, invited.body).toBe(201);
  gus = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GUS)), {
    givenName: 'Gus',
    familyName: 'User',
  });
  const miaId = await addMember(owner, MIA);
  for (const client of [owner, gail]) await turnOnMfa(client);
  const account = await owner.post('/api/v1/accounts', ACCOUNT);
  expect(account.statusCode, account.body).toBe(201);
  mia = t.client();
  const signedIn = await mia.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: MIA,
    password: 'members own long password',
  });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  const terms = (await mia.get('/api/v1/terms/current')).json() as { version: number };
  expect((await mia.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
  ids = {
    owner: ownerId,
    gail: (await me(gail)).user.id,
    gus: (await me(gus)).user.id,
    mia: miaId,
    partner: partner.id,
    account: (account.json() as { id: string }).id,
  };
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp.close();
});

describe('a guest joins', () => {
  it('tells their sponsor, by name, once; not the guest, not anyone else', async () => {
    const toOwner = await waitForNotice(OWNER.email, SUBJECTS.joined);
    expect(toOwner.text).toContain(
      'Gail Admin (gail@agency.test), whom you invited as a guest of Agency Ltd, completed their first sign-in to Acme Inc on Gatehouse and is now active.',
    );
    expect(toOwner.text).toContain(`${PUBLIC_URL}/app/partners/${ids.partner}/members/${ids.gail}`);
    expect(toOwner.text).toContain(`${PUBLIC_URL}/app/security#notifications`);
    // Gus was invited by Gail: his sponsor is told, not the workspace owner.
    const toGail = await waitForNotice(GAIL, SUBJECTS.joined);
    expect(toGail.text).toContain('Gus User (gus@agency.test), whom you invited as a guest of Agency Ltd');
    expect(toGail.html).toContain('Gus User (gus@agency.test)');
    expect(await queued('guest-joined')).toEqual([OWNER.email, GAIL]);
  });
});

describe('an account is shared', () => {
  it('with a member: the member is told who shared which account, as what; the owner who shared is not', async () => {
    const shared = await owner.post(`/api/v1/accounts/${ids.account}/members`, {
      userId: ids.mia,
      role: 'collaborator',
    });
    expect(shared.statusCode, shared.body).toBe(204);
    const mail = await waitForNotice(MIA, SUBJECTS.shared);
    expect(mail.text).toContain(
      'Ada Owner shared Company Instagram with you as collaborator, in Acme Inc on Gatehouse.',
    );
    expect(mail.text).toContain(`Open the account: ${PUBLIC_URL}/app/accounts/${ids.account}`);
    expect(mail.html).toContain(`href="${PUBLIC_URL}/app/accounts/${ids.account}"`);
    // Names, not ids: the only id is in the link.
    expect(mail.text.replace(/https:\/\/\S+/g, '')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(await queued('account-shared')).toEqual([MIA]);
  });

  it("with a partner: its guest admin is told; guest users are not (it is not theirs until it's passed on)", async () => {
    const accessUntil = new Date(Date.UTC(2099, 0, 31, 17, 0));
    const shared = await owner.post(`/api/v1/partners/${ids.partner}/accounts`, {
      accounts: [{ accountId: ids.account, role: 'manager' }],
      accessUntil: accessUntil.toISOString(),
    });
    expect(shared.statusCode, shared.body).toBe(204);
    const mail = await waitForNotice(GAIL, SUBJECTS.shared);
    expect(mail.text).toContain(
      'Ada Owner shared Company Instagram with Agency Ltd as manager, in Acme Inc on Gatehouse. As its guest admin, you can use it and pass it on to your guest users.',
    );
    expect(mail.text).toContain('This access ends by itself on 31 January 2099, 17:00 UTC (Access until).');
    expect(await queued('account-shared')).toEqual([MIA, GAIL]);
  });

  it("passed on by a manager: the guest user is told, and the account's owners; the manager is not", async () => {
    const passed = await gail.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.gus });
    expect(passed.statusCode, passed.body).toBe(204);
    const toGus = await waitForNotice(GUS, SUBJECTS.shared);
    expect(toGus.text).toContain(
      'Gail Admin passed Company Instagram on to you as collaborator, for Agency Ltd, in Acme Inc on Gatehouse.',
    );
    const toOwner = await waitForNotice(OWNER.email, SUBJECTS.passedOn);
    expect(toOwner.text).toContain(
      'Gail Admin, a manager of Company Instagram for Agency Ltd, passed it on to Gus User, a guest user of Agency Ltd, as collaborator, in Acme Inc on Gatehouse.',
    );
    expect(await queued('account-shared')).toEqual([MIA, GAIL, GUS]);
    expect(await queued('passed-on')).toEqual([OWNER.email]);
  });
});

describe('the Notifications section', () => {
  type Preference = { kind: string; label: string; security: boolean; enabled: boolean };
  const preferences = async (client: TestClient) => {
    const response = await client.get('/api/v1/me/notifications');
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { notifications: Preference[] }).notifications;
  };

  it('lists every kind, on by default, security mail marked as such; security mail cannot be turned off', async () => {
    expect((await preferences(mia)).map(({ kind, security, enabled }) => ({ kind, security, enabled }))).toEqual([
      { kind: 'account-shared', security: false, enabled: true },
      { kind: 'passed-on', security: false, enabled: true },
      { kind: 'guest-joined', security: false, enabled: true },
      { kind: 'access-expiring', security: false, enabled: true },
      { kind: 'device-waiting', security: true, enabled: true },
    ]);
    const refused = await mia.request({
      method: 'PUT',
      url: '/api/v1/me/notifications',
      payload: { notifications: [{ kind: 'device-waiting', enabled: false }] },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().type).toBe('/api/problems/notification-always-sent');
    const unknown = await mia.request({
      method: 'PUT',
      url: '/api/v1/me/notifications',
      payload: { notifications: [{ kind: 'newsletter', enabled: false }] },
    });
    expect(unknown.statusCode).toBe(400);
    expect((await preferences(mia)).find((p) => p.kind === 'device-waiting')?.enabled).toBe(true);
  });

  it('a kind turned off is not sent, and stays off; turned back on, it is sent again', async () => {
    const off = await mia.request({
      method: 'PUT',
      url: '/api/v1/me/notifications',
      payload: { notifications: [{ kind: 'account-shared', enabled: false }] },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect((await preferences(mia)).find((p) => p.kind === 'account-shared')?.enabled).toBe(false);

    const second = await owner.post('/api/v1/accounts', { ...ACCOUNT, name: 'Company LinkedIn' });
    expect(second.statusCode, second.body).toBe(201);
    const secondId = (second.json() as { id: string }).id;
    const shared = await owner.post(`/api/v1/accounts/${secondId}/members`, { userId: ids.mia, role: 'owner' });
    expect(shared.statusCode, shared.body).toBe(204);
    expect(await queued('account-shared')).toEqual([MIA, GAIL, GUS]);

    const on = await mia.request({
      method: 'PUT',
      url: '/api/v1/me/notifications',
      payload: { notifications: [{ kind: 'account-shared', enabled: true }] },
    });
    expect(on.statusCode, on.body).toBe(200);
    const third = await owner.post('/api/v1/accounts', { ...ACCOUNT, name: 'Company TikTok' });
    const thirdId = (third.json() as { id: string }).id;
    expect(
      (await owner.post(`/api/v1/accounts/${thirdId}/members`, { userId: ids.mia, role: 'collaborator' })).statusCode,
    ).toBe(204);
    const mail = await waitForNotice(MIA, SUBJECTS.shared, 2);
    expect(mail.text).toContain('Ada Owner shared Company TikTok with you as collaborator');
    expect(withSubject(MIA, SUBJECTS.shared).map((m) => m.text.includes('Company LinkedIn'))).toEqual([false, false]);

    // Each change is on the person's activity, in words.
    const activity = await t.database.db
      .selectFrom('activity_events')
      .select('details')
      .where('action', '=', 'user.notifications_changed')
      .where('actor_id', '=', ids.mia)
      .execute();
    expect(activity.map((e) => e.details)).toEqual([
      { kind: 'account-shared', enabled: false },
      { kind: 'account-shared', enabled: true },
    ]);
  });
});

describe('a device waits for approval', () => {
  it('tells the person (security mail, always sent); a device waiting for its code gets only the code', async () => {
    const register = async (client: TestClient, name: string) => {
      const response = await client.post('/api/v1/devices', { name });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().device as { status: string };
    };
    const browser = async (ip: string) => {
      const client = t.client({ ip });
      const response = await client.post('/api/v1/auth/sign-in', {
        workspace: OWNER.slug,
        username: MIA,
        password: 'members own long password',
      });
      expect(response.statusCode, response.body).toBe(200);
      return client;
    };
    // Mia's first device waits for the mailed code: that mail is its notice.
    expect((await register(mia, 'Mia laptop')).status).toBe('pending_verification');
    const code = await waitForDeviceCode(smtp, MIA);
    expect((await mia.post('/api/v1/devices/current/verify', { code })).statusCode).toBe(200);
    expect(await queued('device-waiting')).toEqual([]);

    const stranger = await browser('192.0.2.66');
    expect((await register(stranger, 'Unknown PC')).status).toBe('pending_approval');
    const mail = await waitForNotice(MIA, SUBJECTS.deviceWaiting);
    expect(mail.text).toMatch(
      /^A new device signed in as you and waits for approval: Unknown PC \(web browser\), on .+ UTC, from the address 192\.0\.2\.66, for Acme Inc on Gatehouse\.$/m,
    );
    expect(mail.text).toContain(`My trusted devices: ${PUBLIC_URL}/app/devices`);
    expect(mail.text).toContain('This email is about your security: it is always sent');
    expect(await queued('device-waiting')).toEqual([MIA]);
  });
});

describe('Share accounts with a partner, several at once', () => {
  it('is one mail to its guest admin naming each account with its role', async () => {
    const before = withSubject(GAIL, SUBJECTS.shared).length;
    const created = await Promise.all(
      ['Company X', 'Company YouTube'].map(async (name) => {
        const response = await owner.post('/api/v1/accounts', { ...ACCOUNT, name });
        expect(response.statusCode, response.body).toBe(201);
        return (response.json() as { id: string }).id;
      }),
    );
    const shared = await owner.post(`/api/v1/partners/${ids.partner}/accounts`, {
      accounts: [
        { accountId: created[0], role: 'collaborator' },
        { accountId: created[1], role: 'manager' },
      ],
    });
    expect(shared.statusCode, shared.body).toBe(204);
    const mail = await waitForNotice(GAIL, SUBJECTS.shared, before + 1);
    expect(mail.text).toContain(
      'Ada Owner shared 2 accounts with Agency Ltd, in Acme Inc on Gatehouse: Company X (collaborator), Company YouTube (manager).',
    );
    expect(mail.text).toContain(`Open the partner’s accounts: ${PUBLIC_URL}/app/partners/${ids.partner}`);
    expect((await queued('account-shared')).filter((to) => to === GAIL)).toHaveLength(before + 1);
  });
});
