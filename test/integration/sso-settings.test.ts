import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMembers } from '../../src/services/members.js';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { addMember, signIn } from '../helpers/partners.js';

let t: TestApp;
let owner: TestClient;
let idp: TestOidcProvider;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  idp = await startOidcProvider({
    redirectUris: [new URL('/api/v1/oidc/callback', t.config.publicUrl).href],
    users: { 'bob-sub': { email: 'bob@acme.test', email_verified: true, name: 'Bob Firsttime' } },
  });
});
afterEach(async () => {
  await idp.close();
  await t.close();
  clearDiscoveryCache();
});

const put = (client: TestClient, payload: unknown) =>
  client.request({ method: 'PUT', url: '/api/v1/workspace/sso', payload });
const switchMode = (client: TestClient, mode: string) =>
  client.request({ method: 'PUT', url: '/api/v1/workspace/sso/mode', payload: { mode } });

const complete = () => ({
  issuer: idp.issuer,
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  jitProvisioning: true,
});

/** Follows the provider's login (any login is accepted) and returns the callback it sends the browser to. */
async function signInAtProvider(browser: TestClient, login: string): Promise<URL> {
  const cookies = new Map<string, string>();
  const go = async (url: URL, form?: Record<string, string>) => {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return new URL(response.headers.get('location')!, idp.issuer);
  };
  const start = await browser.get('/api/v1/workspaces/acme/oidc/start');
  expect(start.statusCode, start.body).toBe(302);
  const interaction = await go(new URL(String(start.headers.location)));
  let location = await go(interaction, { prompt: 'login', login, password: 'anything' });
  for (let hops = 0; hops < 5 && location.origin === idp.issuer; hops++) location = await go(location);
  expect(location.pathname).toBe('/api/v1/oidc/callback');
  return location;
}

describe('Single sign-on settings', () => {
  it('start empty in local mode, with the redirect URI to copy into the identity provider', async () => {
    const response = await owner.get('/api/v1/workspace/sso');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      mode: 'local',
      protocol: 'oidc',
      samlConfigured: false,
      issuer: null,
      clientId: null,
      clientSecretSet: false,
      jitProvisioning: false,
      mfaValues: null,
      redirectUri: new URL('/api/v1/oidc/callback', t.config.publicUrl).href,
      clientAuthentication: 'client_secret_basic',
      jwksUrl: null,
      signingKeySwitchAt: null,
    });
  });

  it('are for the owner and admins only: a member gets 403 on every route', async () => {
    await addMember(owner, 'mia@acme.test');
    const mia = await signIn(t, 'mia@acme.test', 'members own long password');
    for (const response of [
      await mia.get('/api/v1/workspace/sso'),
      await put(mia, complete()),
      await switchMode(mia, 'idp'),
      await mia.post('/api/v1/workspace/sso/test', { issuer: idp.issuer }),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    await addMember(owner, 'alan@acme.test', 'admin');
    const alan = await signIn(t, 'alan@acme.test', 'members own long password');
    const terms = (await alan.get('/api/v1/terms/current')).json() as { version: number };
    expect((await alan.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
    const byAdmin = await put(alan, complete());
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
  });

  it('keep the client secret write-only: never returned, kept when absent, removed when empty; each change recorded', async () => {
    const saved = await put(owner, complete());
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).not.toContain(idp.clientSecret);
    expect(saved.json()).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, clientSecretSet: true });
    const read = await owner.get('/api/v1/workspace/sso');
    expect(read.body).not.toContain(idp.clientSecret);

    const kept = await put(owner, { issuer: idp.issuer, clientId: 'renamed', jitProvisioning: false });
    expect(kept.json()).toMatchObject({ clientId: 'renamed', clientSecretSet: true, jitProvisioning: false });
    const removed = await put(owner, {
      issuer: idp.issuer,
      clientId: 'renamed',
      clientSecret: '',
      jitProvisioning: false,
    });
    expect(removed.json().clientSecretSet).toBe(false);

    const activity = await owner.get('/api/v1/activity');
    expect(activity.body).not.toContain(idp.clientSecret);
    const events = activity
      .json()
      .events.filter((e: { action: string }) => e.action === 'workspace.sso_settings_changed');
    expect(events).toHaveLength(3);
    expect(events.map((e: { details: { clientSecret?: string } }) => e.details.clientSecret)).toEqual(
      expect.arrayContaining(['replaced', 'removed']),
    );
  });

  it('refuse bad input with the message under each field', async () => {
    const response = await put(owner, {
      issuer: 'ftp://login.example.com',
      clientId: 'x'.repeat(300),
      jitProvisioning: 'yes',
      mfaValues: ['two words'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const paths = response.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['issuer', 'clientId', 'jitProvisioning', 'mfaValues.0']));
    const issuerError = response.json().errors.find((e: { path: string }) => e.path === 'issuer');
    expect(issuerError.message).toMatch(/https:\/\//);
  });

  it('Test connection finds the discovery document and signing keys of a real provider', async () => {
    const response = await owner.post('/api/v1/workspace/sso/test', { issuer: idp.issuer });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: true, issuer: idp.issuer });
    expect(response.json().message).toMatch(/discovery document found, \d+ signing key/);
  });

  it('Test connection says in words why an issuer cannot be used, never a 500', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await owner.post('/api/v1/workspace/sso/test', { issuer: `http://127.0.0.1:${port}` });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toEqual({
      ok: false,
      message: 'The identity provider could not be reached: the connection was refused.',
    });
    const notHttp = await owner.post('/api/v1/workspace/sso/test', { issuer: 'file:///etc/passwd' });
    expect(notHttp.json()).toMatchObject({ ok: false, message: expect.stringMatching(/https:\/\//) });
    const internalHttp = await owner.post('/api/v1/workspace/sso/test', { issuer: 'http://10.0.0.1' });
    expect(internalHttp.json().ok).toBe(false);
  });

  it('refuse switching to idp while the settings are incomplete; once switched, the owner is asked for MFA', async () => {
    const before = (await owner.get('/api/v1/members')).json().members;
    expect(before.map((m: { signsInWith: string }) => m.signsInWith)).toEqual(['password']);
    const refused = await switchMode(owner, 'idp');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors.map((e: { path: string }) => e.path)).toEqual(['issuer', 'clientId']);
    expect((await owner.get('/api/v1/workspace/sso')).json().mode).toBe('local');

    await put(owner, complete());
    expect((await switchMode(owner, 'idp')).json().mode).toBe('idp');
    // The owner now signs in by break-glass only: nothing more before they turn on MFA.
    const gated = await owner.get('/api/v1/workspace/sso');
    expect(gated.statusCode).toBe(403);
    expect(gated.json().type).toBe('/api/problems/mfa-required');
    const event = await t.app.db
      .selectFrom('activity_events')
      .select('action')
      .where('action', '=', 'workspace.sign_in_mode_changed')
      .execute();
    expect(event).toHaveLength(1);
  });

  it('saved through the API, let a new member sign in through the identity provider', async () => {
    const domains = await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { verifiedDomains: ['acme.test'] },
    });
    expect(domains.statusCode).toBe(200);
    // Only `mfa` counts as the IdP's second factor here: an `otp` the default list would trust does not.
    const saved = await put(owner, { ...complete(), mfaValues: ['mfa', ' mfa'] });
    expect(saved.json().mfaValues).toEqual(['mfa']);
    expect((await switchMode(owner, 'idp')).statusCode).toBe(200);
    idp.users.set('bob-sub', { ...idp.users.get('bob-sub'), amr: ['pwd', 'otp'] });

    const browser = t.client();
    const callback = await signInAtProvider(browser, 'bob-sub');
    const back = await browser.get(callback.pathname + callback.search);
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/app');
    const session = await browser.get('/api/v1/auth/session');
    expect(session.statusCode).toBe(200);
    expect(session.json().user).toMatchObject({ email: 'bob@acme.test' });
    expect(session.json().assurance.mfaRequired).toBe(true);
    idp.users.set('bob-sub', { ...idp.users.get('bob-sub'), amr: ['mfa'] });
    const again = t.client();
    const second = await signInAtProvider(again, 'bob-sub');
    expect((await again.get(second.pathname + second.search)).headers.location).toBe('/app');
    expect((await again.get('/api/v1/auth/session')).json().assurance.mfaRequired).toBe(false);

    // The members list says how each signs in: the owner by password (break-glass), Bob through the IdP.
    const ownerRow = await t.app.db
      .selectFrom('users')
      .select(['id', 'workspace_id'])
      .where('email', '=', 'ada@acme.test')
      .executeTakeFirstOrThrow();
    const members = await listMembers(t.app.db, {
      userId: ownerRow.id,
      workspaceId: ownerRow.workspace_id,
      role: 'owner',
      status: 'active',
    });
    expect(Object.fromEntries(members.map((m) => [m.email, m.signsInWith]))).toEqual({
      'ada@acme.test': 'password',
      'bob@acme.test': 'identity_provider',
    });
  });

  it('the first-run set-up can start a workspace in idp mode, and needs the issuer and client id for it', async () => {
    const fresh = await createTestApp();
    try {
      const setup = { ...OWNER, mode: 'idp' };
      const missing = await fresh
        .client()
        .post('/api/v1/setup', { ...setup, idp: { issuer: idp.issuer, clientId: '' } });
      expect(missing.statusCode).toBe(422);
      expect(missing.json().errors).toEqual([{ path: 'idp.clientId', message: expect.stringMatching(/client id/) }]);
      const client = fresh.client();
      const created = await client.post('/api/v1/setup', {
        ...setup,
        idp: { issuer: idp.issuer, clientId: idp.clientId },
      });
      expect(created.statusCode, created.body).toBe(201);
      const workspace = await fresh.app.db
        .selectFrom('workspaces')
        .select(['mode', 'idp_issuer', 'idp_client_id'])
        .executeTakeFirstOrThrow();
      expect(workspace).toEqual({ mode: 'idp', idp_issuer: idp.issuer, idp_client_id: idp.clientId });
    } finally {
      await fresh.close();
    }
  });
});
