import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/crypto/tokens.js';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { createWorkspace, prepareOwnerPassword, type CreateWorkspaceInput } from '../../src/services/workspaces.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

const OWNER = { email: 'ada@acme.test', displayName: 'Ada Owner', password: 'correct horse battery staple' };

async function createAcme(t: TestApp, extra: Partial<CreateWorkspaceInput>): Promise<void> {
  const input: CreateWorkspaceInput = { slug: 'acme', name: 'Acme Inc', owner: OWNER, ...extra };
  const passwordHash = await prepareOwnerPassword(input);
  await t.app.unitOfWork.run((tx) => createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'test' }));
}

let t: TestApp;
let idp: TestOidcProvider;
let callbackUrl: string;

beforeEach(async () => {
  t = await createTestApp();
  callbackUrl = new URL('/api/v1/oidc/callback', t.config.publicUrl).href;
  idp = await startOidcProvider({ redirectUris: [callbackUrl] });
});
afterEach(async () => {
  await idp.close();
  await t.close();
  clearDiscoveryCache();
});

const startUrl = '/api/v1/workspaces/acme/oidc/start';

describe('members sign in through the workspace identity provider', () => {
  it('describes an idp workspace publicly with its countdown', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId, redirectSeconds: 3 } });
    const response = await t.client().get('/api/v1/workspaces/acme');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ slug: 'acme', name: 'Acme Inc', mode: 'idp', redirectSeconds: 3 });
  });

  it('defaults the countdown to 5 seconds, and local workspaces have none', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    expect((await t.client().get('/api/v1/workspaces/acme')).json()).toMatchObject({ mode: 'idp', redirectSeconds: 5 });
    await createAcme(t, { slug: 'beta', mode: 'local', owner: { ...OWNER, email: 'ada@beta.test' } });
    expect((await t.client().get('/api/v1/workspaces/beta')).json()).toEqual({
      slug: 'beta',
      name: 'Acme Inc',
      mode: 'local',
      redirectSeconds: null,
    });
  });

  it('sends the browser to the real provider with a valid PKCE request, storing only the state hash', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    const response = await t.client().get(startUrl);
    expect(response.statusCode).toBe(302);
    expect(response.headers['cache-control']).toBe('no-store');

    const location = new URL(String(response.headers.location));
    expect(location.origin + location.pathname).toBe(idp.authorizationEndpoint);
    const params = location.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(idp.clientId);
    expect(params.get('redirect_uri')).toBe(callbackUrl);
    expect(params.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = params.get('state')!;
    const nonce = params.get('nonce')!;
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(nonce.length).toBeGreaterThanOrEqual(32);

    const rows = await t.database.db.selectFrom('oidc_requests').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state_hash).toBe(hashToken(state));
    expect(rows[0]!.state_hash).not.toBe(state);
    expect(rows[0]!.nonce).toBe(nonce);
    const expiresInMs = rows[0]!.expires_at.getTime() - Date.now();
    expect(expiresInMs).toBeGreaterThan(9 * 60 * 1000);
    expect(expiresInMs).toBeLessThanOrEqual(10 * 60 * 1000);

    // The provider itself accepts the request: it asks the person to sign in (its interaction page)
    // instead of bouncing back to our redirect_uri with error=… (what it does for a bad client, redirect
    // URI, missing PKCE…).
    const atProvider = await fetch(location, { redirect: 'manual' });
    expect([302, 303]).toContain(atProvider.status);
    const next = new URL(atProvider.headers.get('location')!, idp.issuer);
    expect(next.origin).toBe(idp.issuer);
    expect(next.pathname).toMatch(/^\/interaction\//);
    expect(next.searchParams.has('error')).toBe(false);
    const loginPage = await fetch(next, { headers: { cookie: cookiesOf(atProvider) } });
    expect(loginPage.status).toBe(200);
    expect(await loginPage.text()).toMatch(/sign-in|login/i);
  });

  it('proves the check above can fail: the provider rejects a request without PKCE', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    const location = new URL(String((await t.client().get(startUrl)).headers.location));
    location.searchParams.delete('code_challenge');
    location.searchParams.delete('code_challenge_method');
    const atProvider = await fetch(location, { redirect: 'manual' });
    const next = new URL(atProvider.headers.get('location')!, idp.issuer);
    expect(next.href.startsWith(callbackUrl)).toBe(true);
    expect(next.searchParams.get('error')).toBe('invalid_request');
  });

  it('consumes the state once at the callback; a made-up code is refused with a reason, not a 500', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    const browser = t.client();
    const state = new URL(String((await browser.get(startUrl)).headers.location)).searchParams.get('state')!;

    const unknown = await browser.get(`/api/v1/oidc/callback?state=not-a-state&code=abc`);
    expect(unknown.statusCode).toBe(302);
    expect(unknown.headers.location).toBe('/login?sso=expired');

    // Someone else's browser (no state cookie) cannot use the state, and does not burn it either.
    const stranger = await t.client().get(`/api/v1/oidc/callback?state=${encodeURIComponent(state)}&code=abc`);
    expect(stranger.headers.location).toBe('/login?sso=expired');
    expect(await t.database.db.selectFrom('oidc_requests').selectAll().execute()).toHaveLength(1);

    const back = await browser.get(
      `/api/v1/oidc/callback?state=${encodeURIComponent(state)}&code=abc&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/w/acme/sign-in?sso=invalid_response');
    expect(await t.database.db.selectFrom('oidc_requests').selectAll().execute()).toHaveLength(0);

    const replay = await browser.get(`/api/v1/oidc/callback?state=${encodeURIComponent(state)}&code=abc`);
    expect(replay.headers.location).toBe('/login?sso=expired');
    const noState = await browser.get('/api/v1/oidc/callback');
    expect(noState.headers.location).toBe('/login?sso=expired');
  });

  it('treats an expired state as expired, and sweeps expired requests', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    const browser = t.client();
    const state = new URL(String((await browser.get(startUrl)).headers.location)).searchParams.get('state')!;
    await t.database.db
      .updateTable('oidc_requests')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const back = await browser.get(`/api/v1/oidc/callback?state=${encodeURIComponent(state)}&code=abc`);
    expect(back.headers.location).toBe('/login?sso=expired');

    const another = t.client();
    await another.get(startUrl);
    await t.database.db
      .updateTable('oidc_requests')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await another.get(startUrl);
    expect(await t.database.db.selectFrom('oidc_requests').selectAll().execute()).toHaveLength(1);
  });

  it('answers 502 idp-unavailable when the provider is down, and sends a browser back to the waiting page', async () => {
    await createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId } });
    await idp.close();
    const response = await t.client().get(startUrl);
    expect(response.statusCode).toBe(502);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: '/api/problems/idp-unavailable',
      status: 502,
      detail: expect.stringContaining('cannot be reached'),
    });
    expect((await t.client().get('/api/problems/idp-unavailable')).statusCode).toBe(200);
    expect(await t.database.db.selectFrom('oidc_requests').selectAll().execute()).toHaveLength(0);

    const navigation = await t
      .client()
      .get(startUrl, { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' });
    expect(navigation.statusCode).toBe(302);
    expect(navigation.headers.location).toBe('/w/acme?idp=unavailable');
  });

  it('answers 404 for a local workspace and for an unknown one', async () => {
    await createAcme(t, { mode: 'local' });
    const local = await t.client().get(startUrl);
    expect(local.statusCode).toBe(404);
    expect(local.json().type).toBe('/api/problems/not-found');
    expect((await t.client().get('/api/v1/workspaces/nobody/oidc/start')).statusCode).toBe(404);
  });
});

describe('workspace identity provider settings', () => {
  const create = (extra: Partial<CreateWorkspaceInput>) => createAcme(t, extra);

  it('requires an issuer and a client id in idp mode, with a clear error', async () => {
    await expect(create({ mode: 'idp' })).rejects.toMatchObject({
      type: 'idp-settings-invalid',
      message: expect.stringContaining('issuer URL'),
    });
    await expect(create({ mode: 'idp', idp: { issuer: idp.issuer, clientId: ' ' } })).rejects.toMatchObject({
      type: 'idp-settings-invalid',
      message: expect.stringContaining('client id'),
    });
  });

  it('accepts https issuers, and http only on this machine', async () => {
    await expect(
      create({ mode: 'idp', idp: { issuer: 'http://idp.example.com', clientId: 'x' } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('https://'),
    });
    await expect(create({ mode: 'idp', idp: { issuer: 'not a url', clientId: 'x' } })).rejects.toMatchObject({
      type: 'idp-settings-invalid',
    });
    await create({
      mode: 'idp',
      idp: { issuer: 'https://login.example.com/tenant', clientId: 'gatehouse', redirectSeconds: 0 },
    });
    const row = await t.database.db
      .selectFrom('workspaces')
      .selectAll()
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      idp_issuer: 'https://login.example.com/tenant',
      idp_client_id: 'gatehouse',
      idp_redirect_seconds: 0,
    });
  });

  it('refuses a countdown outside 0–60 seconds and IdP settings on a local workspace', async () => {
    await expect(
      create({ mode: 'idp', idp: { issuer: idp.issuer, clientId: 'x', redirectSeconds: 61 } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('from 0 to 60'),
    });
    await expect(create({ mode: 'local', idp: { issuer: idp.issuer, clientId: 'x' } })).rejects.toMatchObject({
      type: 'idp-settings-invalid',
    });
  });
});

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}
