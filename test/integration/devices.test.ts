import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { hashToken } from '../../src/crypto/tokens.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { deviceCodeMailsTo, waitForDeviceCode } from '../helpers/devices.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { addMember, completeFirstSignIn, createPartner, me, MEMBER_PASSWORD } from '../helpers/partners.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { clientAppHeaders } from '../helpers/vault.js';
import { testClock } from '../helpers/clock.js';

/**
 * Trusted sessions (SPEC §6) through the HTTP API, with the codes read from mail that a real SMTP
 * server (this test's) received.
 */

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0';
const DAY_MS = 24 * 60 * 60 * 1000;

let smtp: TestSmtpServer;
let t: TestApp;
let owner: TestClient;
let ownerId: string;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
});
afterAll(async () => {
  await smtp.close();
});
beforeEach(async () => {
  smtp.messages.length = 0;
  t = await createTestApp({ smtpUrl: smtp.url });
  owner = await setUpWorkspace(t);
  ownerId = (await me(owner)).user.id;
});
afterEach(async () => {
  await t.close();
});

type Device = {
  id: string;
  name: string;
  kind: string;
  status: string;
  approvedUntil: string | null;
  approvalExpired: boolean;
  current: boolean;
  code: { expiresAt: string; triesLeft: number } | null;
};

/** Another browser of the same person: a fresh cookie jar, signed in with the password. */
async function signInAs(email: string, password: string, userAgent = CHROME_LINUX): Promise<TestClient> {
  const client = t.client({ userAgent });
  const response = await client.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: email, password });
  expect(response.statusCode, response.body).toBe(200);
  // Members added by the owner accept the current terms before anything else (SPEC §4).
  if ((await client.get('/api/v1/auth/session')).json().pending.terms) {
    const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
    expect((await client.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
  }
  return client;
}

async function register(client: TestClient, name: string, expected = 201): Promise<Device> {
  const response = await client.post('/api/v1/devices', { name });
  expect(response.statusCode, response.body).toBe(expected);
  return response.json().device as Device;
}

const current = async (client: TestClient) =>
  (await client.get('/api/v1/devices/current')).json() as {
    device: Device | null;
    suggestedName: string;
    hasTrustedDevice: boolean;
  };
const assurance = async (client: TestClient) =>
  (await client.get('/api/v1/auth/session')).json().assurance as { trusted: boolean; device: Device | null };
const verify = (client: TestClient, code: string) => client.post('/api/v1/devices/current/verify', { code });
const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });
const actions = async () =>
  ((await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{ action: string }>).map((e) => e.action);
const deviceRow = (id: string) =>
  t.database.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Registers the client as a device and verifies it with the mailed code (the n-th code mail to `email`). */
async function trust(client: TestClient, email: string, name: string, mailNumber: number): Promise<Device> {
  const device = await register(client, name);
  expect(device.status).toBe('pending_verification');
  const response = await verify(client, await waitForDeviceCode(smtp, email, mailNumber));
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Device;
}

describe('the first device, verified by an emailed code', () => {
  it('starts pending, mails a 6-digit code, and the right code approves it for 90 days', async () => {
    const state = await current(owner);
    expect(state).toEqual({ device: null, suggestedName: 'ada Browser - Unknown OS', hasTrustedDevice: false });
    expect((await assurance(owner)).trusted).toBe(false);

    const device = await register(owner, 'Work laptop');
    expect(device).toMatchObject({ name: 'Work laptop', kind: 'browser', status: 'pending_verification' });
    expect(device.code?.triesLeft).toBe(5);
    const expiresIn = new Date(device.code!.expiresAt).getTime() - testClock.now();
    expect(expiresIn).toBeGreaterThan(4 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);

    const code = await waitForDeviceCode(smtp, OWNER.email);
    const mail = deviceCodeMailsTo(smtp, OWNER.email)[0]!;
    expect(mail.subject).toBe('Your code to trust a new device on Gatehouse');
    expect(mail.subject).not.toContain(code);
    expect(mail.text).toContain('"Work laptop"');

    const verified = await verify(owner, code);
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({ status: 'approved', approvalExpired: false, code: null });
    const until = new Date(verified.json().approvedUntil).getTime();
    expect(Math.abs(until - (testClock.now() + 90 * DAY_MS))).toBeLessThan(60_000);
    expect(await assurance(owner)).toMatchObject({
      trusted: true,
      device: { name: 'Work laptop', status: 'approved' },
    });

    const row = await deviceRow(device.id);
    expect(row).toMatchObject({ status: 'approved', code_hash: null, code_expires_at: null });
    expect(await actions()).toEqual(expect.arrayContaining(['device.created', 'device.code_sent', 'device.verified']));
  });

  it('keeps the secret in an HttpOnly cookie and only its hash in the database; the code never in clear', async () => {
    const response = await owner.post('/api/v1/devices', { name: 'Work laptop' });
    expect(response.statusCode).toBe(201);
    const cookie = response.cookies.find((c) => c.name === 'gatehouse_device')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value.length).toBeGreaterThanOrEqual(43);
    expect(response.body).not.toContain(cookie.value);
    expect(response.json().deviceSecret).toBeUndefined();

    const row = await deviceRow(response.json().device.id);
    expect(row.secret_hash).toBe(hashToken(cookie.value));
    const code = await waitForDeviceCode(smtp, OWNER.email);
    const dump = JSON.stringify(
      (await sql`SELECT * FROM devices`.execute(t.database.db)).rows.concat(
        (await sql`SELECT * FROM activity_events`.execute(t.database.db)).rows,
        (await sql`SELECT * FROM outbox`.execute(t.database.db)).rows,
      ),
    );
    expect(dump).not.toContain(cookie.value);
    expect(dump).not.toContain(code);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a wrong code says how many tries are left; after 5 even the right code is refused', async () => {
    await register(owner, 'Work laptop');
    const code = await waitForDeviceCode(smtp, OWNER.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const response = await verify(owner, wrong);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ type: '/api/problems/device-code-wrong' });
      if (left > 0) expect(response.json().detail).toContain(`${left} ${left === 1 ? 'try' : 'tries'} left`);
    }
    const refused = await verify(owner, code);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      type: '/api/problems/device-code-exhausted',
      detail: 'This code was tried 5 times and no longer works. Send a new code.',
    });
    expect((await assurance(owner)).trusted).toBe(false);

    // A new code (once the resend pause is over) still meets the user's lockout from the 5 failures.
    await t.database.db
      .updateTable('devices')
      .set({ code_expires_at: new Date(testClock.now() - 1000) })
      .where('user_id', '=', ownerId)
      .execute();
    expect((await owner.post('/api/v1/devices/current/code')).statusCode).toBe(200);
    const locked = await verify(owner, await waitForDeviceCode(smtp, OWNER.email, 2));
    expect(locked.statusCode).toBe(429);
    expect(locked.json().type).toBe('/api/problems/too-many-attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const recorded = await actions();
    expect(recorded.filter((action) => action === 'device.code_failed')).toHaveLength(5);
    expect(recorded).toContain('auth.lockout_started');
  });

  it('an expired code is refused and a new one works; a new code cannot be asked for twice in 30 seconds', async () => {
    const device = await register(owner, 'Work laptop');
    const first = await waitForDeviceCode(smtp, OWNER.email);
    const tooSoon = await owner.post('/api/v1/devices/current/code');
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.json().type).toBe('/api/problems/device-code-recently-sent');
    expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThan(0);

    await t.database.db
      .updateTable('devices')
      .set({ code_expires_at: new Date(testClock.now() - 1000) })
      .where('id', '=', device.id)
      .execute();
    const expired = await verify(owner, first);
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ type: '/api/problems/device-code-expired' });

    expect((await owner.post('/api/v1/devices/current/code')).statusCode).toBe(200);
    const second = await waitForDeviceCode(smtp, OWNER.email, 2);
    if (second !== first) expect((await verify(owner, first)).statusCode).toBe(422);
    expect((await verify(owner, second)).statusCode).toBe(200);
    expect((await assurance(owner)).trusted).toBe(true);
  });

  it('refuses malformed codes as bad input, not as a try', async () => {
    await register(owner, 'Work laptop');
    for (const code of ['12345', '1234567', 'abcdef', '']) {
      const response = await verify(owner, code);
      expect(response.statusCode).toBe(400);
    }
    expect((await current(owner)).device?.code?.triesLeft).toBe(5);
  });
});

describe('approval from another trusted device', () => {
  it('a second device waits for approval without a mail, and Approve on a trusted session lets it in', async () => {
    await trust(owner, OWNER.email, 'Work laptop', 1);
    const second = await signInAs(OWNER.email, OWNER.password, FIREFOX_MAC);
    const state = await current(second);
    expect(state).toMatchObject({ device: null, suggestedName: 'ada Firefox - macOS', hasTrustedDevice: true });
    const pending = await register(second, state.suggestedName);
    expect(pending).toMatchObject({ status: 'pending_approval', code: null });
    // The code is there for whoever lacks the trusted device: none was mailed now. Mail is queued in the
    // request's own transaction, so the outbox already holds every code mail there will be.
    const codeMails = await t.database.db
      .selectFrom('outbox')
      .select('id')
      .where('kind', '=', 'device-code')
      .where('recipient', '=', OWNER.email)
      .execute();
    expect(codeMails).toHaveLength(1);
    expect((await verify(second, '123456')).json().type).toBe('/api/problems/device-code-not-sent');

    const listed = (await owner.get('/api/v1/devices')).json().devices as Device[];
    expect(listed.map((d) => [d.name, d.status, d.current])).toEqual([
      ['ada Firefox - macOS', 'pending_approval', false],
      ['Work laptop', 'approved', true],
    ]);

    const approved = await owner.post(`/api/v1/devices/${pending.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect((await current(second)).device).toMatchObject({ status: 'approved', approvalExpired: false });
    expect((await assurance(second)).trusted).toBe(true);
    const row = await deviceRow(pending.id);
    expect(row.decided_by_device_id).toBe(listed[1]!.id);
    expect(await actions()).toContain('device.approved');
  });

  it("I don't have access to my trusted device: switches to a mailed code", async () => {
    await trust(owner, OWNER.email, 'Work laptop', 1);
    const second = await signInAs(OWNER.email, OWNER.password, FIREFOX_MAC);
    await register(second, 'Home');
    const switched = await second.post('/api/v1/devices/current/code');
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json()).toMatchObject({ status: 'pending_verification', code: { triesLeft: 5 } });
    expect((await verify(second, await waitForDeviceCode(smtp, OWNER.email, 2))).statusCode).toBe(200);
    expect((await assurance(second)).trusted).toBe(true);
  });

  it('Approve is refused from an untrusted session, and for another user’s device', async () => {
    await trust(owner, OWNER.email, 'Work laptop', 1);
    const second = await signInAs(OWNER.email, OWNER.password, FIREFOX_MAC);
    const pending = await register(second, 'Home');
    const third = await signInAs(OWNER.email, OWNER.password);
    await register(third, 'Tablet');
    for (const client of [second, third]) {
      for (const decision of ['approve', 'deny']) {
        const refused = await client.post(`/api/v1/devices/${pending.id}/${decision}`);
        expect(refused.statusCode).toBe(403);
        expect(refused.json()).toMatchObject({
          type: '/api/problems/trusted-session-required',
          title: 'Your current session is not secure',
        });
      }
    }
    // Another person's trusted session does not know this device at all.
    await addMember(owner, 'max@acme.test');
    const max = await signInAs('max@acme.test', MEMBER_PASSWORD);
    await trust(max, 'max@acme.test', 'Max laptop', 1);
    expect((await max.post(`/api/v1/devices/${pending.id}/approve`)).statusCode).toBe(404);
    expect((await deviceRow(pending.id)).status).toBe('pending_approval');
  });

  it('Deny keeps the device out, and it cannot switch to a code', async () => {
    await trust(owner, OWNER.email, 'Work laptop', 1);
    const second = await signInAs(OWNER.email, OWNER.password, FIREFOX_MAC);
    const pending = await register(second, 'Unknown');
    const denied = await owner.post(`/api/v1/devices/${pending.id}/deny`);
    expect(denied.statusCode).toBe(200);
    expect(denied.json().status).toBe('denied');
    expect(await assurance(second)).toMatchObject({ trusted: false, device: { status: 'denied' } });
    expect((await second.post('/api/v1/devices/current/code')).json().type).toBe('/api/problems/device-denied');
    expect((await owner.post(`/api/v1/devices/${pending.id}/approve`)).json().type).toBe(
      '/api/problems/device-not-pending',
    );
    expect(await actions()).toContain('device.denied');
  });
});

describe('removal', () => {
  it('is final, keeps the record, holds at the next request, and the browser may register anew', async () => {
    await trust(owner, OWNER.email, 'Work laptop', 1);
    const second = await signInAs(OWNER.email, OWNER.password, FIREFOX_MAC);
    const device = await register(second, 'Home');
    expect((await owner.post(`/api/v1/devices/${device.id}/approve`)).statusCode).toBe(200);
    expect((await assurance(second)).trusted).toBe(true);

    expect((await del(owner, `/api/v1/devices/${device.id}`)).statusCode).toBe(204);
    expect(await assurance(second)).toMatchObject({ trusted: false, device: null });
    expect(await deviceRow(device.id)).toMatchObject({ status: 'removed', name: 'Home' });
    expect((await del(owner, `/api/v1/devices/${device.id}`)).json().type).toBe('/api/problems/device-already-removed');
    expect((await owner.get('/api/v1/devices')).json().devices).toHaveLength(1);
    expect((await owner.get('/api/v1/devices?includeRemoved=true')).json().devices).toHaveLength(2);

    // The same browser, its old cookie still held, registers again as a new device (the name is free again).
    const again = await register(second, 'Home');
    expect(again.id).not.toBe(device.id);
    expect(again.status).toBe('pending_approval');
    expect(await actions()).toContain('device.removed');
  });

  it('a user may remove their own devices from any session, even an untrusted one', async () => {
    const laptop = await trust(owner, OWNER.email, 'Lost laptop', 1);
    const fresh = await signInAs(OWNER.email, OWNER.password);
    expect((await del(fresh, `/api/v1/devices/${laptop.id}`)).statusCode).toBe(204);
    expect((await assurance(owner)).trusted).toBe(false);
  });
});

describe('limits and names', () => {
  it('refuses the 21st approved or pending device with a clear message; denied and removed do not count', async () => {
    const cli = t.client({ userAgent: 'gatehouse-cli/1.0' });
    await cli.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: OWNER.email, password: OWNER.password });
    const ids: string[] = [];
    for (let i = 1; i <= 20; i++) {
      // Each time as a browser that holds no device yet (its device cookie dropped).
      cli.setCookie('gatehouse_device', '');
      const response = await cli.post('/api/v1/devices', { name: `Install ${i}` });
      expect(response.statusCode, response.body).toBe(201);
      ids.push(response.json().device.id);
    }
    const refused = await owner.post('/api/v1/devices', { name: 'One too many' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      type: '/api/problems/device-limit-reached',
      detail: 'You already have 20 trusted or pending devices. Remove one on My trusted devices first.',
    });
    expect(refused.cookies.find((c) => c.name === 'gatehouse_device')).toBeUndefined();
    expect((await del(owner, `/api/v1/devices/${ids[0]}`)).statusCode).toBe(204);
    expect((await owner.post('/api/v1/devices', { name: 'One too many' })).statusCode).toBe(201);
  });

  it('names are unique per user among live devices, ignoring case; the suggestion avoids taken names', async () => {
    await register(owner, 'ada Browser - Unknown OS');
    const second = await signInAs(OWNER.email, OWNER.password, 'gatehouse-tests');
    expect((await current(second)).suggestedName).toBe('ada Browser - Unknown OS (2)');
    const taken = await second.post('/api/v1/devices', { name: 'ADA browser - unknown os' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      type: '/api/problems/device-name-taken',
      errors: [{ path: 'name', message: 'You already have a device with this name.' }],
    });
    for (const name of ['', '   ', 'x'.repeat(101), 'line\nbreak']) {
      const bad = await second.post('/api/v1/devices', { name });
      expect(bad.statusCode, name).toBe(400);
      expect(bad.json().errors[0].path).toBe('name');
    }
    expect((await second.post('/api/v1/devices', { name: 'x', kind: 'phone' })).statusCode).toBe(400);
    // Another person may use the same name.
    await addMember(owner, 'max@acme.test');
    const max = await signInAs('max@acme.test', MEMBER_PASSWORD);
    expect((await max.post('/api/v1/devices', { name: 'ada Browser - Unknown OS' })).statusCode).toBe(201);
    // The same client cannot register twice while its device is live.
    const twice = await owner.post('/api/v1/devices', { name: 'Another' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().type).toBe('/api/problems/device-already-registered');
  });
});

describe('approval lifetime', () => {
  it('follows the workspace setting, and an approval that ran out is no longer trusted until verified again', async () => {
    const settings = await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { deviceApprovalDays: 7 },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    expect(settings.json().deviceApprovalDays).toBe(7);
    const bad = await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { deviceApprovalDays: 0 },
    });
    expect(bad.statusCode).toBe(400);

    const device = await trust(owner, OWNER.email, 'Work laptop', 1);
    expect(Math.abs(new Date(device.approvedUntil!).getTime() - (testClock.now() + 7 * DAY_MS))).toBeLessThan(60_000);

    await t.database.db
      .updateTable('devices')
      .set({ approved_until: new Date(testClock.now() - 1000) })
      .where('id', '=', device.id)
      .execute();
    expect((await assurance(owner)).trusted).toBe(false);
    expect((await current(owner)).device).toMatchObject({ status: 'approved', approvalExpired: true });
    const renewed = await owner.post('/api/v1/devices/current/code');
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect((await verify(owner, await waitForDeviceCode(smtp, OWNER.email, 2))).statusCode).toBe(200);
    expect((await assurance(owner)).trusted).toBe(true);
  });
});

describe('other people: admins, host admins, deactivation', () => {
  async function guestWithDevice() {
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
    const invitation = readInvitationMail(await waitForMailTo(smtp, 'gail@agency.test'));
    const guest = await completeFirstSignIn(t, invitation);
    const device = await trust(guest, 'gail@agency.test', 'Gail laptop', 1);
    const guestId = partner.members.find((m) => m.email === 'gail@agency.test')!.userId;
    return { partner, guest, guestId, device };
  }

  it('removing a guest removes all their devices', async () => {
    const { partner, guest, guestId, device } = await guestWithDevice();
    const removed = await del(owner, `/api/v1/partners/${partner.id}/guests/${guestId}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await deviceRow(device.id)).status).toBe('removed');
    expect((await guest.get('/api/v1/auth/session')).statusCode).toBe(401);
    const events = (await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{
      action: string;
      targetId: string;
      details: { by?: string; reason?: string };
    }>;
    expect(events.find((e) => e.action === 'device.removed' && e.targetId === device.id)?.details).toMatchObject({
      by: 'deactivation',
      reason: 'guest_removed',
    });
  });

  it('removing a partner removes its guests’ devices', async () => {
    const { partner, device } = await guestWithDevice();
    await turnOnMfa(owner);
    expect((await del(owner, `/api/v1/partners/${partner.id}`)).statusCode).toBe(204);
    expect((await deviceRow(device.id)).status).toBe('removed');
  });

  it('workspace admins and the guest’s host admins list and remove anyone’s devices; others are refused', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const { partner, guest, guestId, device } = await guestWithDevice();
    await owner.post(`/api/v1/partners/${partner.id}/host-admins`, { userId: hostId });
    await addMember(owner, 'max@acme.test');
    await addMember(owner, 'ann@acme.test', 'admin');

    const list = await owner.get(`/api/v1/users/${guestId}/devices`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().devices).toMatchObject([
      { id: device.id, name: 'Gail laptop', status: 'approved', current: false },
    ]);

    const host = await signInAs('hugo@acme.test', MEMBER_PASSWORD);
    expect((await host.get(`/api/v1/users/${guestId}/devices`)).statusCode).toBe(200);
    expect((await host.get(`/api/v1/users/${ownerId}/devices`)).statusCode).toBe(403);

    const max = await signInAs('max@acme.test', MEMBER_PASSWORD);
    const refused = await max.get(`/api/v1/users/${guestId}/devices`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/forbidden');
    expect((await del(max, `/api/v1/users/${guestId}/devices/${device.id}`)).statusCode).toBe(403);
    // A guest, who does not see the workspace's people, is not told whether this one exists.
    expect((await guest.get(`/api/v1/users/${ownerId}/devices`)).statusCode).toBe(404);
    expect((await owner.get(`/api/v1/users/00000000-0000-4000-8000-000000000000/devices`)).statusCode).toBe(404);

    const ann = await signInAs('ann@acme.test', MEMBER_PASSWORD);
    expect((await del(ann, `/api/v1/users/${guestId}/devices/${device.id}`)).statusCode).toBe(204);
    expect((await assurance(guest)).trusted).toBe(false);
    const events = (await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{
      action: string;
      actorEmail: string;
      details: { by?: string };
    }>;
    expect(events.find((e) => e.action === 'device.removed')).toMatchObject({
      actorEmail: 'ann@acme.test',
      details: { by: 'admin' },
    });
  });
});

describe('non-browser clients', () => {
  it('cannot register here: they connect, and a device secret in a header does not trust a web session', async () => {
    const refused = await owner.post('/api/v1/devices', { name: 'gatehouse CLI', kind: 'extension' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toContain('POST /api/v1/connect/start');

    // An extension connects for the owner, approved from her (untrusted) web session: it verifies the
    // mailed code with its own session, and is then a trusted device.
    const { deviceCode, userCode } = (await owner.post('/api/v1/connect/start', { kind: 'extension' })).json();
    const approved = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'laptop' });
    expect(approved.json().device).toMatchObject({ name: 'laptop', kind: 'extension', status: 'pending_verification' });
    const connected = (await owner.post('/api/v1/connect/token', { deviceCode })).json();
    const asExtension = clientAppHeaders(connected);
    const code = await waitForDeviceCode(smtp, OWNER.email);
    const verified = await owner.post('/api/v1/devices/current/verify', { code }, asExtension);
    expect(verified.statusCode, verified.body).toBe(200);
    expect((await owner.get('/api/v1/auth/session', asExtension)).json().assurance).toMatchObject({
      device: { name: 'laptop', status: 'approved' },
      trusted: true,
    });

    // Its secret, sent along the owner's web session, trusts nothing: client apps have sessions of their own.
    const withSecretOnly = { 'x-gatehouse-device': connected.deviceSecret as string };
    const web = (await owner.get('/api/v1/auth/session', withSecretOnly)).json();
    expect(web.assurance.device).toBeNull();
    expect(web.assurance.trusted).toBe(false);
  });
});
