import * as samlify from 'samlify';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import {
  expiredSelfSigned,
  identityProvider as samlIdentityProvider,
  MULTI_FACTOR,
  selfSigned,
  signedLoginResponse,
  type KeyPair,
  type LoginResponseOptions,
} from '../helpers/saml-idp.js';

/**
 * SAML 2.0 sign-in against a real identity provider built here with samlify, a different library than
 * the product's node-saml (test/helpers/saml-idp.ts).
 */

const IDP_ENTITY_ID = 'https://idp.acme.test/saml';
const IDP_SSO_URL = 'https://idp.acme.test/saml/sso';

let idpKeys: KeyPair;
let otherKeys: KeyPair;

beforeAll(() => {
  idpKeys = selfSigned('idp.acme.test');
  otherKeys = selfSigned('impostor.test');
});

function identityProvider(keys = idpKeys) {
  return samlIdentityProvider(IDP_ENTITY_ID, IDP_SSO_URL, keys);
}

let t: TestApp;
let owner: TestClient;
const base = '/api/v1/saml/acme';

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

async function configure(options: { jit?: boolean; idpMode?: boolean } = {}) {
  const put = await owner.request({
    method: 'PUT',
    url: '/api/v1/workspace/saml',
    payload: { metadataXml: identityProvider().getMetadata() },
  });
  expect(put.statusCode, put.body).toBe(200);
  if (options.idpMode === false) return put.json() as { idpEntityId: string; certificateExpiry: string[] };
  await t.app.db
    .updateTable('workspaces')
    .set({ verified_domains: ['acme.test'] })
    .where('slug', '=', 'acme')
    .execute();
  const settings = await owner.request({
    method: 'PUT',
    url: '/api/v1/workspace/sso',
    payload: { protocol: 'saml', jitProvisioning: options.jit ?? true },
  });
  expect(settings.statusCode, settings.body).toBe(200);
  const mode = await owner.request({ method: 'PUT', url: '/api/v1/workspace/sso/mode', payload: { mode: 'idp' } });
  expect(mode.statusCode, mode.body).toBe(200);
  return put.json() as { idpEntityId: string; acsUrl: string; metadataUrl: string; certificateExpiry: string[] };
}

/** Goes to Gatehouse's login, which redirects to the IdP: returns the AuthnRequest's ID. */
async function startLogin(browser: TestClient): Promise<string> {
  const response = await browser.get(`${base}/login`);
  expect(response.statusCode, response.body).toBe(302);
  const location = new URL(String(response.headers.location));
  expect(location.origin + location.pathname).toBe(IDP_SSO_URL);
  const deflated = Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64');
  const { inflateRawSync } = await import('node:zlib');
  const request = inflateRawSync(deflated).toString('utf8');
  return /\sID="([^"]+)"/.exec(request)![1]!;
}

type Tweaks = Partial<Omit<LoginResponseOptions, 'spMetadata' | 'requestId'>> & { keys?: KeyPair };

/** The IdP's answer to `requestId`, as the HTML form it posts would carry it (base64 SAMLResponse). */
async function idpResponse(requestId: string, { keys, ...tweaks }: Tweaks = {}): Promise<string> {
  return signedLoginResponse(identityProvider(keys), {
    spMetadata: (await t.client().get(`${base}/metadata`)).body,
    requestId,
    email: 'bob@acme.test',
    nameId: 'bob-persistent-id',
    ...tweaks,
  });
}

/** Posts the response to the ACS as the IdP's auto-submitting form does; returns where it redirects. */
async function postToAcs(browser: TestClient, samlResponse: string): Promise<string> {
  const response = await browser.request({
    method: 'POST',
    url: `${base}/acs`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: '' }).toString(),
  });
  expect(response.statusCode, response.body).toBe(302);
  return String(response.headers.location);
}

const refusedWith = (reason: string) => `/w/acme/sign-in?sso=${reason}`;

describe('SAML settings and metadata', () => {
  it('serves the SP metadata as XML with the ACS (HTTP-POST) and signed assertions wanted', async () => {
    const response = await t.client().get(`${base}/metadata`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/samlmetadata+xml');
    const acs = new URL(`${base}/acs`, t.config.publicUrl).href;
    expect(response.body).toContain(`entityID="${new URL(`${base}/metadata`, t.config.publicUrl).href}"`);
    expect(response.body).toContain('WantAssertionsSigned="true"');
    expect(response.body).toContain(`Location="${acs}"`);
    expect(response.body).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    // samlify reads it as a service provider: the IdP side of the handshake understands it.
    const sp = samlify.ServiceProvider({ metadata: response.body });
    expect(sp.entityMeta.getAssertionConsumerService('post')).toBe(acs);
  });

  it('saves pasted IdP metadata and answers with entity id, SSO URL and certificate expiry; refuses metadata without a certificate', async () => {
    const settings = await configure({ idpMode: false });
    expect(settings.idpEntityId).toBe(IDP_ENTITY_ID);
    expect(settings.certificateExpiry).toHaveLength(1);
    expect(new Date(settings.certificateExpiry[0]!).getTime()).toBeGreaterThan(Date.now());
    const read = await owner.get('/api/v1/workspace/saml');
    expect(read.json()).toMatchObject({ configured: true, idpEntityId: IDP_ENTITY_ID, ssoUrl: IDP_SSO_URL });
    expect(read.body).not.toContain('BEGIN CERTIFICATE');

    const withoutCert = identityProvider()
      .getMetadata()
      .replace(/<(\w+:)?KeyDescriptor[\s\S]*?<\/(\w+:)?KeyDescriptor>/g, '');
    const refused = await owner.request({
      method: 'PUT',
      url: '/api/v1/workspace/saml',
      payload: { metadataXml: withoutCert },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toContain('no signing certificate');
    const garbage = await owner.request({
      method: 'PUT',
      url: '/api/v1/workspace/saml',
      payload: { metadataXml: '<oops' },
    });
    expect(garbage.statusCode).toBe(422);

    const activity = await owner.get('/api/v1/activity');
    expect(activity.body).toContain('changed the SAML identity provider settings');
  });
});

describe('SAML sign-in', () => {
  it('accepts a signed assertion: the member is created just in time and the session works', async () => {
    await configure();
    const browser = t.client();
    const requestId = await startLogin(browser);
    expect(await postToAcs(browser, await idpResponse(requestId))).toBe('/app');
    const session = await browser.get('/api/v1/auth/session');
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json().user).toMatchObject({ email: 'bob@acme.test' });
    const created = await t.app.db
      .selectFrom('users')
      .select(['display_name', 'kind', 'role'])
      .where('email', '=', 'bob@acme.test')
      .executeTakeFirstOrThrow();
    expect(created).toEqual({ display_name: 'Bob Saml', kind: 'member', role: 'member' });

    // The next time, the persistent NameID finds the same person even with another email attribute.
    const again = t.client();
    const second = await idpResponse(await startLogin(again), { email: 'robert@acme.test' });
    expect(await postToAcs(again, second)).toBe('/app');
    expect((await again.get('/api/v1/auth/session')).json().user.email).toBe('bob@acme.test');
  });

  it('accepts a response signed as a whole around an unsigned assertion', async () => {
    await configure();
    const browser = t.client();
    const response = await idpResponse(await startLogin(browser), { signResponseOnly: true });
    const xml = Buffer.from(response, 'base64').toString('utf8');
    expect(xml.match(/<ds:Signature[\s>]/g)).toHaveLength(1);
    expect(xml.indexOf('<ds:Signature')).toBeLessThan(xml.indexOf('<saml:Assertion'));
    expect(await postToAcs(browser, response)).toBe('/app');
  });

  it('refuses an unsigned assertion, and one signed with another key', async () => {
    await configure();
    const browser = t.client();
    const signed = Buffer.from(await idpResponse(await startLogin(browser)), 'base64').toString('utf8');
    const unsigned = signed.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
    expect(unsigned).not.toContain('Signature');
    expect(await postToAcs(browser, Buffer.from(unsigned).toString('base64'))).toBe(refusedWith('unsigned'));

    const forged = await idpResponse(await startLogin(browser), { keys: otherKeys });
    expect(await postToAcs(browser, forged)).toBe(refusedWith('unsigned'));
    expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('refuses an expired assertion', async () => {
    await configure();
    const browser = t.client();
    const expired = await idpResponse(await startLogin(browser), {
      notBefore: new Date(Date.now() - 20 * 60 * 1000).toISOString(),
      notOnOrAfter: new Date(Date.now() - 10 * 60 * 1000).toISOString(),
    });
    expect(await postToAcs(browser, expired)).toBe(refusedWith('assertion_expired'));
  });

  it('refuses an assertion for another audience', async () => {
    await configure();
    const browser = t.client();
    const response = await idpResponse(await startLogin(browser), { audience: 'https://other-sp.test/metadata' });
    expect(await postToAcs(browser, response)).toBe(refusedWith('wrong_audience'));
  });

  it('refuses an assertion for another recipient', async () => {
    await configure();
    const browser = t.client();
    const response = await idpResponse(await startLogin(browser), { recipient: 'https://other-sp.test/acs' });
    expect(await postToAcs(browser, response)).toBe(refusedWith('wrong_recipient'));
  });

  it('refuses a replayed response, and a known assertion ID in a new response', async () => {
    await configure();
    const browser = t.client();
    const response = await idpResponse(await startLogin(browser), { assertionId: '_same-assertion' });
    expect(await postToAcs(browser, response)).toBe('/app');
    const attacker = t.client();
    expect(await postToAcs(attacker, response)).toBe(refusedWith('replayed'));
    // Same assertion ID answering a fresh request: the consumed-assertion table refuses it.
    const reused = await idpResponse(await startLogin(attacker), { assertionId: '_same-assertion' });
    expect(await postToAcs(attacker, reused)).toBe(refusedWith('replayed'));
    expect((await attacker.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('refuses an answer to a request Gatehouse never sent, and an email outside the verified domains', async () => {
    await configure();
    const browser = t.client();
    await startLogin(browser);
    const unsolicited = await idpResponse('_never-issued');
    expect(await postToAcs(browser, unsolicited)).toBe(refusedWith('expired'));
    const outsider = await idpResponse(await startLogin(browser), { email: 'mallory@elsewhere.test', nameId: 'm' });
    expect(await postToAcs(browser, outsider)).toBe(refusedWith('domain_not_verified'));
    const garbage = await postToAcs(browser, Buffer.from('<not-saml/>').toString('base64'));
    expect(garbage).toMatch(/^\/w\/acme\/sign-in\?sso=/);
  });

  it('links an existing member by email, and refuses them once deactivated', async () => {
    const userId = await addMember(owner, 'carol@acme.test');
    await configure({ jit: false });
    const browser = t.client();
    const first = await idpResponse(await startLogin(browser), { email: 'carol@acme.test', nameId: 'carol-pid' });
    expect(await postToAcs(browser, first)).toBe('/app');
    expect((await browser.get('/api/v1/auth/session')).json().user.email).toBe('carol@acme.test');
    const identity = await t.app.db
      .selectFrom('user_identities')
      .select(['issuer', 'subject'])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(identity).toEqual({ issuer: IDP_ENTITY_ID, subject: 'carol-pid' });

    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', userId).execute();
    const later = t.client();
    const second = await idpResponse(await startLogin(later), { email: 'carol@acme.test', nameId: 'carol-pid' });
    expect(await postToAcs(later, second)).toBe(refusedWith('deactivated'));
  });

  it('refuses an unknown person when just-in-time provisioning is off', async () => {
    await configure({ jit: false });
    const browser = t.client();
    const response = await idpResponse(await startLogin(browser), { email: 'dan@acme.test', nameId: 'dan-pid' });
    expect(await postToAcs(browser, response)).toBe(refusedWith('not_provisioned'));
    const dan = await t.app.db.selectFrom('users').select('id').where('email', '=', 'dan@acme.test').executeTakeFirst();
    expect(dan).toBeUndefined();
  });

  it('lets only the owner and admins read or change the SAML settings', async () => {
    await addMember(owner, 'erin@acme.test');
    const member = await signIn(t, 'erin@acme.test', MEMBER_PASSWORD);
    expect((await member.get('/api/v1/workspace/saml')).statusCode).toBe(403);
    const put = await member.request({
      method: 'PUT',
      url: '/api/v1/workspace/saml',
      payload: { metadataXml: identityProvider().getMetadata() },
    });
    expect(put.statusCode).toBe(403);
    expect((await t.client().get('/api/v1/workspace/saml')).statusCode).toBe(401);
  });

  it('on https, counts an answer only in the browser that started the sign-in (login CSRF)', async () => {
    await t.close();
    t = await createTestApp({ env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.acme.test' } });
    owner = await setUpWorkspace(t);
    await configure();
    const victim = t.client();
    const started = await victim.get(`${base}/login`);
    const cookie = started.cookies.find((c) => c.name === '__Host-gatehouse_saml');
    expect(cookie).toMatchObject({ sameSite: 'None', secure: true, httpOnly: true, path: '/' });
    // The attacker signs in at the IdP as themselves and has the victim's browser post that answer.
    const attacker = t.client();
    const attackersAnswer = await idpResponse(await startLogin(attacker), { email: 'mallory@acme.test', nameId: 'm' });
    expect(await postToAcs(victim, attackersAnswer)).toBe(refusedWith('expired'));
    expect((await victim.get('/api/v1/auth/session')).statusCode).toBe(401);
    // The victim's own sign-in still works.
    const own = await idpResponse(await startLogin(victim));
    expect(await postToAcs(victim, own)).toBe('/app');
  });
});

describe('SAML as the workspace protocol', () => {
  const sso = (client: TestClient, payload: Record<string, unknown>) =>
    client.request({ method: 'PUT', url: '/api/v1/workspace/sso', payload });
  const switchTo = (mode: 'local' | 'idp') =>
    owner.request({ method: 'PUT', url: '/api/v1/workspace/sso/mode', payload: { mode } });

  it('is saved with its metadata in one request, then members start at the SAML IdP and OIDC is refused', async () => {
    // In an idp workspace the owner's password session needs MFA before anything else (break-glass).
    await turnOnMfa(owner);
    await t.app.db
      .updateTable('workspaces')
      .set({ verified_domains: ['acme.test'] })
      .where('slug', '=', 'acme')
      .execute();
    expect((await sso(owner, { protocol: 'saml' })).json()).toMatchObject({ protocol: 'saml', samlConfigured: false });
    const early = await switchTo('idp');

    expect(early.statusCode).toBe(409);
    expect(early.json().errors).toEqual([expect.objectContaining({ path: 'samlMetadataXml' })]);

    const bad = await sso(owner, { samlMetadataXml: '<oops' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ path: 'samlMetadataXml', message: 'The metadata is not well-formed XML.' }]);
    const saved = await sso(owner, { samlMetadataXml: identityProvider().getMetadata(), jitProvisioning: true });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ protocol: 'saml', samlConfigured: true, mode: 'local' });
    expect((await switchTo('idp')).json()).toMatchObject({ mode: 'idp', protocol: 'saml' });

    const browser = t.client();
    const start = await browser.get('/api/v1/workspaces/acme/sso/start');
    expect(start.statusCode).toBe(302);
    expect(start.headers.location).toBe('/api/v1/saml/acme/login');
    expect((await browser.get('/api/v1/workspaces/acme/oidc/start')).statusCode).toBe(404);
    expect(await postToAcs(browser, await idpResponse(await startLogin(browser)))).toBe('/app');

    // Moving members to OpenID Connect needs its settings first; then SAML is refused, even mid-way.
    const refused = await sso(owner, { protocol: 'oidc' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().errors.map((e: { path: string }) => e.path)).toEqual(['issuer', 'clientId']);
    const pending = t.client();
    const pendingRequest = await startLogin(pending);
    const moved = await sso(owner, { protocol: 'oidc', issuer: 'https://login.acme.test', clientId: 'gatehouse' });
    expect(moved.json()).toMatchObject({ protocol: 'oidc', mode: 'idp', samlConfigured: true });
    expect((await t.client().get('/api/v1/workspaces/acme/sso/start')).headers.location).toBe(
      '/api/v1/workspaces/acme/oidc/start',
    );
    expect((await t.client().get(`${base}/login`)).statusCode).toBe(404);
    expect(await postToAcs(pending, await idpResponse(pendingRequest))).toBe(refusedWith('unavailable'));
    const changes = await t.app.db
      .selectFrom('activity_events')
      .select('details')
      .where('action', '=', 'workspace.sso_settings_changed')
      .orderBy('seq')
      .execute();
    expect(changes.map((event) => event.details.protocol).filter(Boolean)).toEqual([
      { from: 'oidc', to: 'saml' },
      { from: 'saml', to: 'oidc' },
    ]);
    const activity = await owner.get('/api/v1/activity');
    expect(activity.body).toContain('changed single sign-on to SAML 2.0.');
    expect(activity.body).toContain('changed single sign-on to OpenID Connect.');
  });

  it('Test connection reads the metadata: who the IdP is, and when its signing certificate expires', async () => {
    const test = (client: TestClient, payload: Record<string, unknown>) =>
      client.request({ method: 'POST', url: '/api/v1/workspace/sso/test', payload });
    const pasted = await test(owner, { protocol: 'saml', metadataXml: identityProvider().getMetadata() });
    expect(pasted.statusCode, pasted.body).toBe(200);
    expect(pasted.json()).toMatchObject({ ok: true, issuer: IDP_ENTITY_ID, ssoUrl: IDP_SSO_URL });
    // The test IdP's certificate lasts 30 days: soon enough to be named as a warning.
    expect(pasted.json().message).toMatch(
      new RegExp(
        `^Metadata read: identity provider ${IDP_ENTITY_ID}, .*the signing certificate expires in (29|30) days`,
      ),
    );

    const expired = identityProvider({ key: idpKeys.key, cert: expiredSelfSigned('old.idp.acme.test') }).getMetadata();
    const old = await test(owner, { metadataXml: expired });
    expect(old.json()).toMatchObject({ ok: false, issuer: IDP_ENTITY_ID });
    expect(old.json().message).toContain('signing certificate expired on 2025-01-01');
    expect((await test(owner, { protocol: 'saml', metadataXml: '<oops' })).json()).toEqual({
      ok: false,
      message: 'The metadata cannot be used: The metadata is not well-formed XML.',
    });

    // Without pasted XML, the saved metadata is tested; before any is saved, the field is asked for.
    const missing = await test(owner, { protocol: 'saml' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toEqual([expect.objectContaining({ path: 'metadataXml' })]);
    await configure({ idpMode: false });
    expect((await test(owner, { protocol: 'saml' })).json()).toMatchObject({ ok: true, issuer: IDP_ENTITY_ID });

    await addMember(owner, 'erin@acme.test');
    const member = await signIn(t, 'erin@acme.test', MEMBER_PASSWORD);
    expect((await test(member, { protocol: 'saml' })).statusCode).toBe(403);
  });

  it("counts the IdP's AuthnContextClassRef as the second factor only when the workspace names it", async () => {
    await turnOnMfa(owner);
    await configure();
    const signInWith = async (authnContext: string) => {
      const browser = t.client();
      expect(await postToAcs(browser, await idpResponse(await startLogin(browser), { authnContext }))).toBe('/app');
      const session = await browser.get('/api/v1/auth/session');
      return (session.json() as { assurance: { mfaRequired: boolean } }).assurance.mfaRequired;
    };
    expect(await signInWith(MULTI_FACTOR)).toBe(true);
    expect((await sso(owner, { mfaValues: [MULTI_FACTOR] })).statusCode).toBe(200);
    expect(await signInWith(MULTI_FACTOR)).toBe(false);
    expect(await signInWith('urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')).toBe(true);
  });
});
