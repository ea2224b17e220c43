import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa, type TurnedOnMfa } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * SPEC §7a: the workspace setting **Approved client apps**. A kind the workspace does not approve cannot
 * connect, and a client app whose kind loses approval is stopped at its next request.
 */

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

const approve = (client: TestClient, approvedClientApps: unknown) =>
  client.request({ method: 'PATCH', url: '/api/v1/workspace/settings', payload: { approvedClientApps } });

const settingsChanges = async () =>
  ((await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{ action: string; details: unknown }>)
    .filter((event) => event.action === 'workspace.settings_changed')
    .map((event) => event.details);

/** The owner, signed in again in a session of its own as a client app would be, past the second factor. */
async function ownerClientApp(): Promise<TestClient> {
  const client = await signIn(t, OWNER.email, OWNER.password);
  await passSecondFactor(client, ownerMfa.secret);
  return client;
}

async function signedInMember(): Promise<TestClient> {
  await addMember(owner, 'mia@acme.test');
  const member = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  const accepted = await member.post('/api/v1/terms/accept', { version: 1 });
  expect(accepted.statusCode, accepted.body).toBe(204);
  return member;
}

describe('approved client apps', () => {
  it('start with the browser extension approved and the command line not, for everyone to see', async () => {
    expect((await owner.get('/api/v1/workspace/settings')).json().approvedClientApps).toEqual(['extension']);
    const member = await signedInMember();
    const seen = await member.get('/api/v1/workspace/client-apps');
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json()).toEqual({ approvedClientApps: ['extension'] });
  });

  it('an admin approves and unapproves them; each change is recorded with its old and new value', async () => {
    const both = await approve(owner, ['cli', 'extension', 'cli']);
    expect(both.statusCode, both.body).toBe(200);
    expect(both.json().approvedClientApps).toEqual(['extension', 'cli']);
    const none = await approve(owner, []);
    expect(none.json().approvedClientApps).toEqual([]);
    expect((await owner.get('/api/v1/workspace/client-apps')).json()).toEqual({ approvedClientApps: [] });
    expect(await settingsChanges()).toEqual([
      { approvedClientApps: { from: ['extension', 'cli'], to: [] } },
      { approvedClientApps: { from: ['extension'], to: ['extension', 'cli'] } },
    ]);

    for (const bad of [['browser'], ['extension', 'smartwatch'], 'extension']) {
      const refused = await approve(owner, bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('a member can neither see nor change the setting', async () => {
    const member = await signedInMember();
    expect((await member.get('/api/v1/workspace/settings')).statusCode).toBe(403);
    const refused = await approve(member, ['extension', 'cli']);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/forbidden');
    expect((await member.get('/api/v1/workspace/client-apps')).json()).toEqual({ approvedClientApps: ['extension'] });
    expect(await settingsChanges()).toEqual([]);
  });
});

/** A client app starts connecting; the owner approves its code from her web session. */
async function connect(kind: 'extension' | 'cli') {
  const app = t.client({ userAgent: 'gatehouse-cli/1.0 (linux)' });
  const started = await app.post('/api/v1/connect/start', { kind });
  expect(started.statusCode, started.body).toBe(200);
  const { deviceCode, userCode } = started.json() as { deviceCode: string; userCode: string };
  const approved = await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: `Ada ${kind}` });
  const polled = await app.post('/api/v1/connect/token', { deviceCode });
  return { approved, polled };
}

describe('connecting a client app', () => {
  it('of a kind the workspace does not approve is refused, saying which client app and who can approve it', async () => {
    const { approved, polled } = await connect('cli');
    expect(approved.statusCode).toBe(403);
    expect(approved.headers['content-type']).toContain('application/problem+json');
    const detail =
      'Your workspace does not approve the command line. A workspace admin can approve it under Workspace settings, in Approved client apps.';
    expect(approved.json()).toMatchObject({
      type: '/api/problems/client-app-not-approved',
      title: 'Client app not approved',
      status: 403,
      detail,
    });
    // The client app hears it too, and gets nothing.
    expect(polled.statusCode).toBe(400);
    expect(polled.json()).toMatchObject({ error: 'access_denied', detail });
    expect(polled.json().sessionToken).toBeUndefined();

    await approve(owner, []);
    const extension = await connect('extension');
    expect(extension.approved.statusCode).toBe(403);
    expect(extension.polled.json().detail).toBe(
      'Your workspace does not approve the browser extension. A workspace admin can approve it under Workspace settings, in Approved client apps.',
    );
    const devices = await t.database.db.selectFrom('devices').select('kind').execute();
    expect(devices).toEqual([]);
    expect((await t.client().get('/api/problems/client-app-not-approved')).statusCode).toBe(200);
  });

  it('the web app itself is always allowed, whatever the workspace approves', async () => {
    await approve(owner, []);
    const browser = await owner.post('/api/v1/devices', { name: 'Ada laptop', kind: 'browser' });
    expect(browser.statusCode, browser.body).toBe(201);
  });

  it('of a kind an admin approved connects', async () => {
    await approve(owner, ['extension', 'cli']);
    const { approved, polled } = await connect('cli');
    expect(approved.statusCode, approved.body).toBe(200);
    expect(polled.statusCode, polled.body).toBe(200);
    expect(polled.json()).toMatchObject({
      sessionToken: expect.any(String),
      deviceSecret: expect.any(String),
      device: { name: 'Ada cli', kind: 'cli' },
    });
  });
});

describe('a client app whose kind loses approval', () => {
  it('is stopped at its next request, told why; approved again, it works', async () => {
    const accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    const extension = await ownerClientApp();
    await trustDevice(extension, owner, { kind: 'extension', name: 'Ada extension' });

    const code = await extension.post(`/api/v1/accounts/${accountId}/totp-code`);
    expect(code.statusCode, code.body).toBe(200);
    expect(code.json().code).toMatch(/^\d{6}$/);
    const filled = await extension.post(`/api/v1/accounts/${accountId}/autofill`);
    expect(filled.statusCode, filled.body).toBe(200);
    expect(filled.json()).toEqual({ username: ACCOUNT.username, password: ACCOUNT.password });

    expect((await approve(owner, [])).statusCode).toBe(200);
    const refusal = {
      type: '/api/problems/session-ended',
      status: 401,
      reason: 'client_app_not_approved',
      detail:
        'Your workspace no longer approves this client app. A workspace admin can approve it again under Workspace settings.',
    };
    const refusedFill = await extension.post(`/api/v1/accounts/${accountId}/autofill`);
    expect(refusedFill.statusCode).toBe(401);
    expect(refusedFill.json()).toMatchObject(refusal);
    expect(refusedFill.body).not.toContain(ACCOUNT.password);
    expect((await extension.post(`/api/v1/accounts/${accountId}/totp-code`)).json()).toMatchObject(refusal);
    expect((await extension.get('/api/v1/accounts')).json()).toMatchObject(refusal);
    // The web app's own trusted session is not affected.
    await trustDevice(owner, owner, { name: 'Ada laptop' });
    expect((await owner.post(`/api/v1/accounts/${accountId}/totp-code`)).statusCode).toBe(200);

    await approve(owner, ['extension']);
    const again = await extension.post(`/api/v1/accounts/${accountId}/autofill`);
    expect(again.statusCode, again.body).toBe(200);
  });
});
