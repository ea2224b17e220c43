import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  confirmIdentity,
  decodeBase32,
  passSecondFactor,
  totp,
  totpStepAt,
  turnOnMfa,
  type TurnedOnMfa,
} from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';
import { testClock } from '../helpers/clock.js';

let t: TestApp;
let owner: TestClient;
let ownerMfa: TurnedOnMfa;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  ownerMfa = await turnOnMfa(owner);
});
afterEach(async () => {
  await t.close();
});

const createAccount = async (client: TestClient, fields: Record<string, unknown> = ACCOUNT) => {
  const response = await client.post('/api/v1/accounts', fields);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; role: string };
};

const activity = async () =>
  (await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{
    action: string;
    details: Record<string, unknown>;
  }>;

describe('creating and reading accounts', () => {
  it('makes the creator owner and shows everything but the password and the TOTP secret', async () => {
    const created = await createAccount(owner);
    expect(created.role).toBe('owner');

    const detail = await owner.get(`/api/v1/accounts/${created.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      name: ACCOUNT.name,
      appName: ACCOUNT.appName,
      loginUrl: ACCOUNT.loginUrl,
      username: ACCOUNT.username,
      notes: ACCOUNT.notes,
      hasPassword: true,
      hasTotp: true,
      role: 'owner',
      permissions: { reveal: true, edit: true, delete: true },
    });
    expect(detail.body).not.toContain(ACCOUNT.password);
    expect(detail.body).not.toContain(ACCOUNT.totpSecret);

    const list = (await owner.get('/api/v1/accounts')).json().accounts as Array<{ name: string; role: string }>;
    expect(list).toEqual([expect.objectContaining({ name: ACCOUNT.name, role: 'owner', hasTotp: true })]);
    expect(JSON.stringify(list)).not.toContain(ACCOUNT.password);
  });

  it('stores every credential field sealed, bound to its account and field', async () => {
    const created = await createAccount(owner);
    const row = await t.database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    for (const secret of [ACCOUNT.username, ACCOUNT.password, ACCOUNT.totpSecret, 'social@acme.test']) {
      expect(stored).not.toContain(secret);
    }
    expect(row.password_sealed).toMatch(/^v1:/);

    // A sealed field copied into another field (or another account) no longer opens.
    await t.database.db
      .updateTable('accounts')
      .set({ notes_sealed: row.password_sealed })
      .where('id', '=', created.id)
      .execute();
    const broken = await owner.get(`/api/v1/accounts/${created.id}`);
    expect(broken.statusCode).toBe(500);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.body).not.toContain(ACCOUNT.password);
  });

  it('accepts an otpauth:// URI as the TOTP secret and refuses one it cannot use, naming the field', async () => {
    const uri = `otpauth://totp/Instagram:acme?secret=${ACCOUNT.totpSecret}&issuer=Instagram`;
    await createAccount(owner, { ...ACCOUNT, name: 'From a URI', totpSecret: uri });
    const refused = await owner.post('/api/v1/accounts', {
      ...ACCOUNT,
      totpSecret: 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      type: '/api/problems/invalid-totp-secret',
      errors: [{ path: 'totpSecret', message: expect.stringContaining('SHA1') }],
    });
    const badUrl = await owner.post('/api/v1/accounts', { ...ACCOUNT, loginUrl: 'javascript:alert(1)' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().errors[0].path).toBe('loginUrl');
  });

  it('finds accounts by name, app, login URL or username', async () => {
    await createAccount(owner);
    await createAccount(owner, { name: 'Ads manager', appName: 'Meta Business' });
    const names = async (search: string) =>
      (
        (await owner.get(`/api/v1/accounts?search=${encodeURIComponent(search)}`)).json().accounts as Array<{
          name: string;
        }>
      ).map((a) => a.name);
    expect(await names('meta')).toEqual(['Ads manager']);
    expect(await names('INSTA')).toEqual([ACCOUNT.name]);
    expect(await names('100%')).toEqual([]);
    // The username is sealed at rest: found all the same, and so is the login URL.
    expect(await names('acme.OFFICIAL')).toEqual([ACCOUNT.name]);
    expect(await names('instagram.com/accounts')).toEqual([ACCOUNT.name]);
    expect(await names('  ')).toEqual(['Ads manager', ACCOUNT.name]);
  });

  it('keeps accounts private to the people they are shared with', async () => {
    const created = await createAccount(owner);
    await addMember(owner, 'mia@acme.test');
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    const terms = (await mia.get('/api/v1/terms/current')).json() as { version: number };
    expect((await mia.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
    await turnOnMfa(mia);
    expect((await mia.get('/api/v1/accounts')).json().accounts).toEqual([]);
    const hidden = await mia.get(`/api/v1/accounts/${created.id}`);
    expect(hidden.statusCode).toBe(404);
    expect((await mia.post(`/api/v1/accounts/${created.id}/totp-code`)).statusCode).toBe(403);
  });
});

describe('using an account', () => {
  it('gives the current TOTP code to a trusted session only, and records it', async () => {
    const created = await createAccount(owner);
    const untrusted = await owner.post(`/api/v1/accounts/${created.id}/totp-code`);
    expect(untrusted.statusCode).toBe(403);
    expect(untrusted.json().type).toBe('/api/problems/trusted-session-required');

    const { deviceId } = await trustDevice(owner, owner);
    const before = testClock.now();
    const response = await owner.post(`/api/v1/accounts/${created.id}/totp-code`);
    const after = testClock.now();
    expect(response.statusCode, response.body).toBe(200);
    const { code, expiresAt } = response.json() as { code: string; expiresAt: string };
    // Computed by the test from the secret (RFC 6238), at either end of the request.
    const expected = [before, after].map((time) => totp(decodeBase32(ACCOUNT.totpSecret), time));
    expect(expected).toContain(code);
    expect(new Date(expiresAt).getTime()).toBe((totpStepAt(after) + 1) * 30_000);
    expect(response.body).not.toContain(ACCOUNT.totpSecret);

    const issued = (await activity()).filter((e) => e.action === 'account.totp_code_issued');
    expect(issued).toHaveLength(1);
    expect(issued[0]!.details).toEqual({ deviceId, deviceName: expect.any(String), deviceKind: 'browser' });
    expect(JSON.stringify(await activity())).not.toContain(code);
  });

  it('gives the next TOTP code too, with its window, when fewer than 5 seconds of the current one remain', async () => {
    const created = await createAccount(owner);
    await trustDevice(owner, owner);
    const key = decodeBase32(ACCOUNT.totpSecret);
    const msToStepEnd = () => 30_000 - (testClock.now() % 30_000);
    // The servers' clock moves on instead of the test waiting: first to 10 s before a step ends.
    if (msToStepEnd() < 12_000) testClock.advance(msToStepEnd() + 100);
    testClock.advance(msToStepEnd() - 10_000);
    type Issued = { code: string; validFrom: string; expiresAt: string };
    const early = (await owner.post(`/api/v1/accounts/${created.id}/totp-code`)).json() as Issued & {
      next: Issued | null;
      serverTime: string;
    };
    expect(early.next).toBeNull();
    expect(Date.parse(early.expiresAt) - Date.parse(early.serverTime)).toBeGreaterThan(5_000);

    testClock.advance(7_000); // 3 s left
    const response = await owner.post(`/api/v1/accounts/${created.id}/totp-code`);
    expect(response.statusCode, response.body).toBe(200);
    const late = response.json() as Issued & { next: Issued | null; serverTime: string };
    const step = totpStepAt(Date.parse(late.serverTime));
    expect(late.code).toBe(totp(key, step * 30_000));
    expect(Date.parse(late.validFrom)).toBe(step * 30_000);
    expect(Date.parse(late.expiresAt) - Date.parse(late.serverTime)).toBeLessThan(5_000);
    expect(late.next).toEqual({
      code: totp(key, (step + 1) * 30_000),
      validFrom: late.expiresAt,
      expiresAt: new Date((step + 2) * 30_000).toISOString(),
    });
    // One event per press of Log in, whether one code or two went out.
    expect((await activity()).filter((e) => e.action === 'account.totp_code_issued')).toHaveLength(2);
  });

  it('delivers the password for autofill to a client app on a trusted device, never to the web app', async () => {
    const created = await createAccount(owner);
    await trustDevice(owner, owner);
    const fromBrowser = await owner.post(`/api/v1/accounts/${created.id}/autofill`);
    expect(fromBrowser.statusCode).toBe(403);
    expect(fromBrowser.json().type).toBe('/api/problems/client-app-required');
    expect(fromBrowser.body).not.toContain(ACCOUNT.password);

    const extension = await signIn(t, 'ada@acme.test', 'correct horse battery staple');
    await passSecondFactor(extension, ownerMfa.secret);
    const { deviceId } = await trustDevice(extension, owner, { kind: 'extension', name: 'Ada extension' });
    const delivered = await extension.post(`/api/v1/accounts/${created.id}/autofill`);
    expect(delivered.statusCode, delivered.body).toBe(200);
    expect(delivered.json()).toEqual({ username: ACCOUNT.username, password: ACCOUNT.password });
    const events = (await activity()).filter((e) => e.action === 'account.password_delivered');
    expect(events.map((e) => e.details)).toEqual([{ deviceId, deviceName: 'Ada extension', deviceKind: 'extension' }]);
    expect(JSON.stringify(await activity())).not.toContain(ACCOUNT.password);
  });

  it('reveals a secret to the owner only after a recent identity confirmation', async () => {
    const created = await createAccount(owner);
    await trustDevice(owner, owner);
    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
      .execute();
    const stale = await owner.post(`/api/v1/accounts/${created.id}/reveal`, { field: 'password' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().type).toBe('/api/problems/identity-confirmation-required');

    await confirmIdentity(owner, ownerMfa.secret);
    const password = await owner.post(`/api/v1/accounts/${created.id}/reveal`, { field: 'password' });
    expect(password.json()).toEqual({ value: ACCOUNT.password });
    const secret = await owner.post(`/api/v1/accounts/${created.id}/reveal`, { field: 'totpSecret' });
    expect(secret.json()).toEqual({ value: ACCOUNT.totpSecret });
    expect((await activity()).map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.password_revealed', 'account.totp_secret_revealed']),
    );
  });

  it('lets the owner edit and delete after identity confirmation; a deleted account is gone for everyone', async () => {
    const created = await createAccount(owner);
    await confirmIdentity(owner, ownerMfa.secret);
    const edited = await owner.request({
      method: 'PATCH',
      url: `/api/v1/accounts/${created.id}`,
      payload: { name: 'Instagram (main)', password: 'a new password 123', notes: '' },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ name: 'Instagram (main)', notes: null, username: ACCOUNT.username });
    await trustDevice(owner, owner);
    expect((await owner.post(`/api/v1/accounts/${created.id}/reveal`, { field: 'password' })).json().value).toBe(
      'a new password 123',
    );
    const updated = (await activity()).find((e) => e.action === 'account.updated');
    expect(updated?.details).toEqual({ fields: ['name', 'password', 'notes'] });

    const deleted = await owner.request({ method: 'DELETE', url: `/api/v1/accounts/${created.id}` });
    expect(deleted.statusCode).toBe(204);
    expect((await owner.get(`/api/v1/accounts/${created.id}`)).statusCode).toBe(404);
    expect((await owner.get('/api/v1/accounts')).json().accounts).toEqual([]);
    const row = await t.database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.password_sealed).toBeNull();
  });
});
