import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { ACCOUNT, clientAppHeaders, trustDevice } from '../helpers/vault.js';

/**
 * Connecting a client app (SPEC §7a, issue 9) after RFC 8628: the app starts and polls without cookies,
 * the person approves its code from the web app, and the app then has a session of its own, bound to its
 * device, which stops at its next request when the device, the person or the approval goes, saying why.
 */

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let t: TestApp;
let owner: TestClient;
/** The extension: no cookies of its own, the browser's user agent. */
let extension: TestClient;

beforeEach(async () => {
  t = await createTestApp({ env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.example.com' } });
  owner = await setUpWorkspace(t);
  await turnOnMfa(owner);
  extension = t.client({ userAgent: CHROME_LINUX, ip: '203.0.113.7' });
});
afterEach(async () => {
  await t.close();
});

interface Started {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
}

async function start(kind = 'extension'): Promise<Started> {
  const response = await extension.post('/api/v1/connect/start', { kind });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Started;
}

const poll = (deviceCode: string) => extension.post('/api/v1/connect/token', { deviceCode });

/** Polls as the RFC says: after the interval (the test clock moves instead of waiting). */
async function pollLater(deviceCode: string, intervalS = 5) {
  testClock.advance(intervalS * 1000);
  return poll(deviceCode);
}

async function connectedExtension(): Promise<{ headers: Record<string, string>; deviceId: string }> {
  const { deviceCode, userCode } = await start();
  const approved = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'Ada laptop' });
  expect(approved.statusCode, approved.body).toBe(200);
  const token = await pollLater(deviceCode);
  expect(token.statusCode, token.body).toBe(200);
  return { headers: clientAppHeaders(token.json()), deviceId: token.json().device.id };
}

describe('starting', () => {
  it('gives a device code, a short user code and where to approve it; only keyed hashes are stored', async () => {
    const started = await start();
    expect(started.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.deviceCode.length).toBeGreaterThanOrEqual(43);
    expect(started).toMatchObject({
      verificationUri: 'https://gatehouse.example.com/app/connect',
      verificationUriComplete: `https://gatehouse.example.com/app/connect?code=${started.userCode}`,
      expiresIn: 600,
      interval: 5,
    });
    const rows = await t.database.db.selectFrom('connect_requests').selectAll().execute();
    expect(rows).toHaveLength(1);
    // A day past its expiry, a request is cleared by the next start.
    await t.database.db
      .updateTable('connect_requests')
      .set({ expires_at: new Date(testClock.now() - 24 * 60 * 60 * 1000 - 1) })
      .execute();
    await start();
    expect(await t.database.db.selectFrom('connect_requests').select('id').execute()).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(started.deviceCode);
    expect(stored).not.toContain(started.userCode.replace('-', ''));
    expect(stored).not.toContain(started.userCode);
  });

  it('refuses unknown kinds as bad input, and more than 20 starts from one address in 10 minutes', async () => {
    const bad = await extension.post('/api/v1/connect/start', { kind: 'browser' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    for (let i = 0; i < 20; i++) await start();
    const limited = await extension.post('/api/v1/connect/start', { kind: 'extension' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().type).toBe('/api/problems/rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back.
    const elsewhere = await t.client({ ip: '198.51.100.9' }).post('/api/v1/connect/start', { kind: 'extension' });
    expect(elsewhere.statusCode).toBe(200);
  });
});

describe('polling (RFC 8628 §3.5)', () => {
  it('is pending until approved, slows a client that polls too fast, then hands over once', async () => {
    const { deviceCode, userCode } = await start();
    const pending = await poll(deviceCode);
    expect(pending.statusCode).toBe(400);
    expect(pending.headers['content-type']).toContain('application/problem+json');
    expect(pending.json()).toMatchObject({
      type: '/api/problems/authorization-pending',
      error: 'authorization_pending',
    });

    const tooFast = await poll(deviceCode);
    expect(tooFast.json()).toMatchObject({ error: 'slow_down', interval: 10 });
    expect((await pollLater(deviceCode, 5)).json()).toMatchObject({ error: 'slow_down', interval: 15 });
    expect((await pollLater(deviceCode, 15)).json()).toMatchObject({ error: 'authorization_pending', interval: 15 });

    await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'Ada laptop' });
    const connected = await pollLater(deviceCode, 15);
    expect(connected.statusCode, connected.body).toBe(200);
    expect(connected.json()).toMatchObject({
      sessionToken: expect.any(String),
      deviceSecret: expect.any(String),
      // Approved from an untrusted session: it verifies the emailed code next.
      device: { name: 'Ada laptop', kind: 'extension', status: 'pending_verification' },
      user: { username: OWNER.email },
      workspace: { slug: OWNER.slug },
    });
    const again = await pollLater(deviceCode, 15);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
    expect(again.body).not.toContain(connected.json().sessionToken);
    expect((await poll('not-a-device-code')).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('ends with expired_token after 10 minutes, and the code no longer opens anything', async () => {
    const { deviceCode, userCode } = await start();
    await t.database.db
      .updateTable('connect_requests')
      .set({ expires_at: new Date(testClock.now() - 1) })
      .execute();
    expect((await pollLater(deviceCode)).json()).toMatchObject({
      error: 'expired_token',
      detail: 'The code expired before it was approved. Start connecting again.',
    });
    const lookup = await owner.get(`/api/v1/connect/requests/${userCode}`);
    expect(lookup.statusCode).toBe(404);
    expect(lookup.json().type).toBe('/api/problems/connect-request-not-found');
    expect((await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'x' })).statusCode).toBe(
      404,
    );
  });

  it('ends with access_denied when the person denies it', async () => {
    const { deviceCode, userCode } = await start();
    expect((await owner.post(`/api/v1/connect/requests/${userCode}/deny`)).statusCode).toBe(204);
    expect((await pollLater(deviceCode)).json()).toMatchObject({
      error: 'access_denied',
      detail: 'The connection was denied. Start connecting again if this was a mistake.',
    });
    expect((await owner.get(`/api/v1/connect/requests/${userCode}`)).statusCode).toBe(404);
    expect(await t.database.db.selectFrom('devices').select('id').execute()).toEqual([]);
  });
});

describe('the person deciding', () => {
  it('sees the code, the client app and the device name it will get; the code is read whatever its case', async () => {
    const { userCode } = await start();
    const seen = await owner.get(`/api/v1/connect/requests/${userCode.toLowerCase().replace('-', ' ')}`);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toEqual({
      userCode,
      kind: 'extension',
      clientAppName: 'browser extension',
      deviceName: 'ada Chrome extension - Linux',
      expiresAt: expect.any(String),
      clientAppApproved: true,
      approvesAtOnce: false,
    });
    expect((await owner.get('/api/v1/connect/requests/ABCD-EFGH')).statusCode).toBe(404);
  });

  it('from an untrusted session: the device waits for the emailed code, which the client app enters', async () => {
    const { deviceCode, userCode } = await start();
    const approved = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'Ada laptop' });
    expect(approved.json().device).toMatchObject({ status: 'pending_verification', kind: 'extension' });
    const connected = await pollLater(deviceCode);
    const headers = clientAppHeaders(connected.json());
    const refused = await extension.post(`/api/v1/accounts/00000000-0000-4000-8000-000000000000/autofill`, {}, headers);
    expect(refused.json().type).toBe('/api/problems/trusted-session-required');
    const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ subject: string; text: string }>;
    const code = /^Code: (\d{6})$/m.exec(outbox.find((m) => m.subject.startsWith('Your code'))!.text)![1]!;
    const verified = await extension.post('/api/v1/devices/current/verify', { code }, headers);
    expect(verified.statusCode, verified.body).toBe(200);
    expect((await extension.get('/api/v1/auth/session', headers)).json().assurance.trusted).toBe(true);
  });

  it('from a trusted session: the client app is trusted at once, lists accounts with usernames and fills them', async () => {
    await trustDevice(owner, owner, { name: 'Ada browser' });
    const accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    const { headers, deviceId } = await connectedExtension();

    const listed = await extension.get('/api/v1/accounts', headers);
    expect(listed.json().accounts).toEqual([
      expect.objectContaining({ id: accountId, name: ACCOUNT.name, username: ACCOUNT.username, role: 'owner' }),
    ]);
    expect(listed.body).not.toContain(ACCOUNT.password);
    const filled = await extension.post(`/api/v1/accounts/${accountId}/autofill`, {}, headers);
    expect(filled.json()).toEqual({ username: ACCOUNT.username, password: ACCOUNT.password });
    expect((await extension.post(`/api/v1/accounts/${accountId}/totp-code`, {}, headers)).statusCode).toBe(200);

    // The account's history names the device each secret went to.
    const events = (await owner.get('/api/v1/activity')).json().events as Array<{
      action: string;
      targetId: string | null;
      details: Record<string, unknown>;
    }>;
    const delivered = events.find((e) => e.action === 'account.password_delivered');
    expect(delivered).toMatchObject({
      targetId: accountId,
      details: { deviceId, deviceName: 'Ada laptop', deviceKind: 'extension' },
    });
    expect(events.find((e) => e.action === 'account.totp_code_issued')?.details).toMatchObject({
      deviceName: 'Ada laptop',
    });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['client_app.connected', 'device.created', 'device.approved']),
    );
    // And the account's own Activity tab, for its owners, lists the deliveries with the device.
    const accountEvents = (await owner.get(`/api/v1/accounts/${accountId}/activity`)).json().events as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;
    expect(accountEvents.map((e) => e.action)).toEqual([
      'account.totp_code_issued',
      'account.password_delivered',
      'account.created',
    ]);
    expect(accountEvents[1]!.details).toMatchObject({ deviceName: 'Ada laptop', deviceKind: 'extension' });
  });

  it('counts the client app among the 20 devices, and refuses a name already taken', async () => {
    await trustDevice(owner, owner, { name: 'Ada browser' });
    const { userCode } = await start();
    const taken = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'ADA BROWSER' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors).toEqual([{ path: 'name', message: 'You already have a device with this name.' }]);
    const ownerId = (await owner.get('/api/v1/auth/session')).json().user.id as string;
    const { workspace_id } = await t.database.db
      .selectFrom('users')
      .select('workspace_id')
      .where('id', '=', ownerId)
      .executeTakeFirstOrThrow();
    for (let i = 2; i <= 20; i++) {
      await t.database.db
        .insertInto('devices')
        .values({
          workspace_id,
          user_id: ownerId,
          name: `Old ${i}`,
          kind: 'browser',
          status: 'approved',
          secret_hash: `x${i}`,
        })
        .execute();
    }
    const full = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'Ada laptop' });
    expect(full.statusCode).toBe(409);
    expect(full.json().type).toBe('/api/problems/device-limit-reached');
  });

  it('needs a session, and is rate limited per person', async () => {
    const { userCode } = await start();
    expect((await t.client().get(`/api/v1/connect/requests/${userCode}`)).statusCode).toBe(401);
    for (let i = 0; i < 19; i++)
      expect((await owner.get(`/api/v1/connect/requests/BCDF-GHJ${'KLMNPQRSTVWXZ'[i % 13]}`)).statusCode).toBe(404);
    expect((await owner.get(`/api/v1/connect/requests/${userCode}`)).statusCode).toBe(200);
    const limited = await owner.get(`/api/v1/connect/requests/${userCode}`);
    expect(limited.statusCode).toBe(429);
  });
});

describe("a client app's session", () => {
  const reasonOf = async (headers: Record<string, string>) => {
    const response = await extension.get('/api/v1/accounts', headers);
    expect(response.statusCode, response.body).toBe(401);
    expect(response.json().type).toBe('/api/problems/session-ended');
    return response.json() as { reason: string; detail: string };
  };

  it('needs its device secret as well as its token, and takes no cookie in their place', async () => {
    const { headers } = await connectedExtension();
    expect((await extension.get('/api/v1/accounts', headers)).statusCode).toBe(200);
    const withoutSecret = { authorization: headers.authorization! };
    expect((await extension.get('/api/v1/accounts', withoutSecret)).statusCode).toBe(401);
    const wrongSecret = { ...headers, 'x-gatehouse-device': 'x'.repeat(43) };
    expect((await reasonOf(wrongSecret)).reason).toBe('unknown');
    // The token as a cookie is no web session.
    const asCookie = t.client();
    asCookie.setCookie('gatehouse_session', headers.authorization!.slice('Bearer '.length));
    expect((await asCookie.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('needs no CSRF token: it carries no cookie authority', async () => {
    const { headers } = await connectedExtension();
    const signedOut = await extension.request({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers,
      withoutCsrf: true,
    });
    expect(signedOut.statusCode, signedOut.body).toBe(204);
    expect(await reasonOf(headers)).toEqual(
      expect.objectContaining({
        reason: 'signed_out',
        detail: 'This session was signed out. Connect again to use your accounts.',
      }),
    );
  });

  it('stops when its device is removed, by the person or an admin', async () => {
    const { headers, deviceId } = await connectedExtension();
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/devices/${deviceId}` })).statusCode).toBe(204);
    expect(await reasonOf(headers)).toMatchObject({
      reason: 'device_removed',
      detail: 'This device was removed from your trusted devices. Connect again to use your accounts.',
    });
  });

  it("follows the server's idle and absolute time-outs", async () => {
    const idle = await connectedExtension();
    const setExpiry = (values: { idle_expires_at?: Date; absolute_expires_at?: Date }) =>
      t.database.db.updateTable('sessions').set(values).where('device_id', 'is not', null).execute();
    await setExpiry({ idle_expires_at: new Date(testClock.now() - 1000) });
    expect((await reasonOf(idle.headers)).reason).toBe('idle_timeout');
    await setExpiry({ absolute_expires_at: new Date(testClock.now() - 1000) });
    expect((await reasonOf(idle.headers)).reason).toBe('absolute_timeout');
  });

  it('stops when the person is deactivated', async () => {
    const { headers } = await connectedExtension();
    await t.database.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('username', '=', OWNER.email)
      .execute();
    expect((await reasonOf(headers)).reason).toBe('user_deactivated');
  });
});
