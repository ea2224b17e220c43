import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { generateSigningKey } from '../../src/services/oidc-client-auth.js';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

// Issue 10, SPEC §2b: Gatehouse authenticates at the IdP's token endpoint with a JWT signed by the
// workspace's own key (private_key_jwt); the IdP knows only the public key from Gatehouse's JWKS.
let t: TestApp;
let owner: TestClient;
let idp: TestOidcProvider | undefined;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  const domains = await owner.request({
    method: 'PATCH',
    url: '/api/v1/workspace/settings',
    payload: { verifiedDomains: ['acme.test'] },
  });
  expect(domains.statusCode).toBe(200);
});
afterEach(async () => {
  await idp?.close();
  idp = undefined;
  await t.close();
  clearDiscoveryCache();
});

const redirectUri = () => new URL('/api/v1/oidc/callback', t.config.publicUrl).href;
const put = (payload: unknown) => owner.request({ method: 'PUT', url: '/api/v1/workspace/sso', payload });

/** Registers Gatehouse at a real provider that accepts only private_key_jwt with the given public keys. */
async function providerTrusting(jwks: { keys: object[] }): Promise<TestOidcProvider> {
  idp = await startOidcProvider({
    redirectUris: [redirectUri()],
    tokenEndpointAuthMethod: 'private_key_jwt',
    clientJwks: jwks,
    users: { 'bob-sub': { email: 'bob@acme.test', email_verified: true, name: 'Bob Keyholder' } },
  });
  return idp;
}

/** Follows the provider's login (any login is accepted) and returns the callback it sends the browser to. */
async function signInAtProvider(provider: TestOidcProvider, browser: TestClient, login: string): Promise<URL> {
  const start = await browser.get('/api/v1/workspaces/acme/oidc/start');
  expect(start.statusCode, start.body).toBe(302);
  const location = await loginAtProvider(provider, String(start.headers.location), login);
  expect(location.pathname).toBe('/api/v1/oidc/callback');
  return location;
}

/** Saves the settings with private_key_jwt (no client secret) and switches members to the IdP. */
async function useProvider(provider: TestOidcProvider) {
  const saved = await put({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: '',
    jitProvisioning: true,
    clientAuthentication: 'private_key_jwt',
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const mode = await owner.request({ method: 'PUT', url: '/api/v1/workspace/sso/mode', payload: { mode: 'idp' } });
  expect(mode.statusCode, mode.body).toBe(200);
}

async function choosePrivateKeyJwt() {
  const saved = await put({
    issuer: null,
    clientId: null,
    jitProvisioning: true,
    clientAuthentication: 'private_key_jwt',
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json() as { clientAuthentication: string; jwksUrl: string };
}

describe('private_key_jwt client authentication', () => {
  it('publishes the workspace public key as a cacheable JWKS without any private part, and the settings name its URL', async () => {
    const before = await t.client().get('/api/v1/oidc/acme/jwks');
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ keys: [] });
    expect((await owner.get('/api/v1/workspace/sso')).json()).toMatchObject({
      clientAuthentication: 'client_secret_basic',
      jwksUrl: null,
    });

    const settings = await choosePrivateKeyJwt();
    expect(settings.clientAuthentication).toBe('private_key_jwt');
    expect(settings.jwksUrl).toBe(new URL('/api/v1/oidc/acme/jwks', t.config.publicUrl).href);

    const jwks = await t.client().get('/api/v1/oidc/acme/jwks');
    expect(jwks.statusCode).toBe(200);
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    const keys = jwks.json().keys as Record<string, string>[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(jwks.body).not.toContain('"d"');

    // The private key is stored sealed: the database holds no `d` in clear.
    const row = await t.app.db
      .selectFrom('workspaces')
      .select(['idp_signing_key_sealed', 'idp_signing_public_jwk'])
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    expect(row.idp_signing_key_sealed).toBeTruthy();
    expect(row.idp_signing_key_sealed).not.toContain('"d"');
    expect(row.idp_signing_public_jwk).not.toContain('"d"');

    // Saving again keeps the key (Rotate key: see below).
    await choosePrivateKeyJwt();
    expect((await t.client().get('/api/v1/oidc/acme/jwks')).json().keys.map((k: { kid: string }) => k.kid)).toEqual([
      keys[0]!.kid,
    ]);

    expect((await t.client().get('/api/v1/oidc/nowhere/jwks')).statusCode).toBe(404);
    const refused = await put({ issuer: null, clientId: null, jitProvisioning: true, clientAuthentication: 'magic' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].path).toBe('clientAuthentication');
  });

  it('Rotate key publishes the new key first and signs with it only once providers have had time to fetch it', async () => {
    // The owner keeps changing settings after members move to the IdP: break-glass needs MFA.
    await turnOnMfa(owner);
    await choosePrivateKeyJwt();
    const before = (await t.client().get('/api/v1/oidc/acme/jwks')).json() as { keys: Array<{ kid: string }> };
    const rotated = await put({ rotateSigningKey: true });
    expect(rotated.statusCode, rotated.body).toBe(200);
    // Ten minutes after now by the server's clock (the tests' clock, which earlier files may have moved on).
    const switchAt = Date.parse(rotated.json().signingKeySwitchAt as string);
    expect(switchAt - t.app.clock.now()).toBeGreaterThan(9 * 60 * 1000);
    expect(switchAt - t.app.clock.now()).toBeLessThanOrEqual(10 * 60 * 1000);
    const after = (await t.client().get('/api/v1/oidc/acme/jwks')).json() as { keys: Array<{ kid: string }> };
    expect(after.keys).toHaveLength(2);
    expect(after.keys[0]!.kid).toBe(before.keys[0]!.kid);
    const nextKid = after.keys[1]!.kid;
    expect(nextKid).not.toBe(before.keys[0]!.kid);

    // A provider still holding the JWKS from before the rotation keeps accepting Gatehouse until the switch.
    await useProvider(await providerTrusting(before));
    const early = t.client();
    const earlyCallback = await signInAtProvider(idp!, early, 'bob-sub');
    expect((await early.get(earlyCallback.pathname + earlyCallback.search)).headers.location).toBe('/app');

    // The switch time has come (moved into the past rather than waiting ten minutes): the new key signs, so
    // that stale provider refuses and one that fetched the JWKS since accepts.
    await t.app.db
      .updateTable('workspaces')
      .set({ idp_signing_next_from: new Date(Date.now() - 1000) })
      .where('slug', '=', 'acme')
      .execute();
    expect((await owner.get('/api/v1/workspace/sso')).json().signingKeySwitchAt).toBeNull();
    const late = t.client();
    const lateCallback = await signInAtProvider(idp!, late, 'bob-sub');
    expect((await late.get(lateCallback.pathname + lateCallback.search)).headers.location).toBe(
      '/w/acme/sign-in?sso=invalid_response',
    );
    await idp!.close();
    await useProvider(await providerTrusting(after));
    const fresh = t.client();
    const freshCallback = await signInAtProvider(idp!, fresh, 'bob-sub');
    expect((await fresh.get(freshCallback.pathname + freshCallback.search)).headers.location).toBe('/app');

    // Rotating again: the key in use becomes the current one, and another is published next to it.
    await put({ rotateSigningKey: true });
    const again = (await t.client().get('/api/v1/oidc/acme/jwks')).json() as { keys: Array<{ kid: string }> };
    expect(again.keys.map((k) => k.kid)).toEqual([nextKid, expect.not.stringMatching(nextKid)]);
    expect(JSON.stringify(again)).not.toContain('"d"');
  });

  it('lets a member sign in end to end at a provider that knows only the public key from the JWKS', async () => {
    await choosePrivateKeyJwt();
    const jwks = (await t.client().get('/api/v1/oidc/acme/jwks')).json() as { keys: object[] };
    const provider = await providerTrusting(jwks);
    await useProvider(provider);

    const browser = t.client();
    const callback = await signInAtProvider(provider, browser, 'bob-sub');
    const back = await browser.get(callback.pathname + callback.search);
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/app');
    const session = await browser.get('/api/v1/auth/session');
    expect(session.statusCode).toBe(200);
    expect(session.json().user).toMatchObject({ email: 'bob@acme.test' });
  });

  it('client_secret_post sends the secret in the body, at a provider that accepts only that', async () => {
    idp = await startOidcProvider({
      redirectUris: [redirectUri()],
      tokenEndpointAuthMethod: 'client_secret_post',
      users: { 'bob-sub': { email: 'bob@acme.test', email_verified: true, name: 'Bob Poster' } },
    });
    const saved = await put({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      jitProvisioning: true,
      clientAuthentication: 'client_secret_post',
    });
    expect(saved.json()).toMatchObject({ clientAuthentication: 'client_secret_post', jwksUrl: null });
    const mode = await owner.request({ method: 'PUT', url: '/api/v1/workspace/sso/mode', payload: { mode: 'idp' } });
    expect(mode.statusCode).toBe(200);
    const browser = t.client();
    const callback = await signInAtProvider(idp, browser, 'bob-sub');
    expect((await browser.get(callback.pathname + callback.search)).headers.location).toBe('/app');
  });

  it("is refused by the provider when it holds another workspace's key, and the sign-in ends on the failure page", async () => {
    await choosePrivateKeyJwt();
    const provider = await providerTrusting({ keys: [generateSigningKey().publicJwk] });
    await useProvider(provider);

    const browser = t.client();
    const callback = await signInAtProvider(provider, browser, 'bob-sub');
    const back = await browser.get(callback.pathname + callback.search);
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/w/acme/sign-in?sso=invalid_response');
    const failed = await t.app.db
      .selectFrom('activity_events')
      .select('details')
      .where('action', '=', 'auth.sign_in_failed')
      .execute();
    expect(failed).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ problem: 'invalid_client' }) }),
    );
    expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(401);
  });
});
