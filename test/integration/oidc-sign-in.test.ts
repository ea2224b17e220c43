import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/crypto/tokens.js';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { setIdpClientSecret } from '../../src/services/oidc-sign-in.js';
import { createWorkspace, prepareOwnerPassword } from '../../src/services/workspaces.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

const OWNER = { email: 'ada@acme.test', displayName: 'Ada Owner', password: 'correct horse battery staple' };
const startUrl = '/api/v1/workspaces/acme/oidc/start';

let t: TestApp;
let idp: TestOidcProvider;
let workspaceId: string;

beforeEach(async () => {
  t = await createTestApp();
  const callbackUrl = new URL('/api/v1/oidc/callback', t.config.publicUrl).href;
  idp = await startOidcProvider({
    redirectUris: [callbackUrl],
    users: {
      'carol-sub': { email: 'carol@acme.test', email_verified: true, name: 'Carol Linked' },
      'bob-sub': { email: 'Bob@acme.test', email_verified: true, name: 'Bob Firsttime' },
      'dan-sub': { email: 'dan@acme.test', email_verified: true, given_name: 'Dan', family_name: 'Newman' },
      'eve-sub': { email: 'eve@acme.test', email_verified: false },
      'mallory-sub': { email: 'mallory@elsewhere.test', email_verified: true },
    },
  });
  const input = {
    slug: 'acme',
    name: 'Acme Inc',
    mode: 'idp' as const,
    domains: ['acme.test'],
    owner: OWNER,
    idp: { issuer: idp.issuer, clientId: idp.clientId },
  };
  const passwordHash = await prepareOwnerPassword(input);
  const created = await t.app.unitOfWork.run((tx) =>
    createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'test' }),
  );
  workspaceId = created.workspace.id;
  await t.app.unitOfWork.run((tx) => setIdpClientSecret(tx, t.app.keyring, workspaceId, idp.clientSecret));
});
afterEach(async () => {
  await idp.close();
  await t.close();
  clearDiscoveryCache();
});

/**
 * Goes to the provider as the waiting page does, signs in on its login page as `login`, and returns the
 * callback URL the provider sends the browser back to (not yet followed).
 */
async function signInAtProvider(browser: TestClient, login: string, action: 'login' | 'abort' = 'login') {
  const start = await browser.get(startUrl);
  expect(start.statusCode).toBe(302);
  const location = await loginAtProvider(idp, String(start.headers.location), login, action);
  expect(location.pathname).toBe('/api/v1/oidc/callback');
  return location;
}

async function backInGatehouse(browser: TestClient, callback: URL) {
  return browser.get(callback.pathname + callback.search);
}

async function signedInAs(browser: TestClient) {
  const session = await browser.get('/api/v1/auth/session');
  expect(session.statusCode, session.body).toBe(200);
  return session.json() as {
    user: { email: string; status: string; kind: string; role: string };
    pending: { secondFactor: boolean; terms: boolean };
    assurance: { mfaRequired: boolean };
  };
}

async function addUser(values: {
  email: string;
  kind?: 'member' | 'guest';
  status?: 'active' | 'invited' | 'deactivated';
}): Promise<string> {
  const row = await t.database.db
    .insertInto('users')
    .values({
      workspace_id: workspaceId,
      email: values.email,
      username: values.email,
      display_name: values.email,
      kind: values.kind ?? 'member',
      role: values.kind === 'guest' ? 'guest' : 'member',
      status: values.status ?? 'active',
      password_hash: null,
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function events(action: string) {
  return t.database.db
    .selectFrom('activity_events')
    .select(['actor_id', 'details', 'target_id'])
    .where('workspace_id', '=', workspaceId)
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
}

async function identities() {
  return t.database.db.selectFrom('user_identities').selectAll().execute();
}

describe('members sign in through the OpenID provider', () => {
  it('signs a linked member in: session cookie, /app, the session event says oidc, MFA still asked', async () => {
    const carol = await addUser({ email: 'carol@acme.test' });
    await t.database.db
      .insertInto('user_identities')
      .values({ user_id: carol, workspace_id: workspaceId, issuer: idp.issuer, subject: 'carol-sub' })
      .execute();
    const browser = t.client();
    const previous = t.client();
    // A session the browser held before (someone else's, left behind): rotation ends it.
    browser.setCookie('gatehouse_session', 'left-behind-token');
    const callback = await signInAtProvider(browser, 'carol-sub');
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const back = await backInGatehouse(browser, callback);
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/app');
    expect(back.headers['cache-control']).toBe('no-store');
    const me = await signedInAs(browser);
    expect(me.user.email).toBe('carol@acme.test');
    expect(me.assurance.mfaRequired).toBe(true);
    // No amr from the IdP: the session has passed no second factor, as a password session.
    const session = await t.database.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', carol)
      .executeTakeFirstOrThrow();
    expect(session.second_factor_at).toBeNull();
    expect(await events('auth.signed_in')).toContainEqual(
      expect.objectContaining({
        actor_id: carol,
        details: expect.objectContaining({ via: 'oidc', method: 'oidc', issuer: idp.issuer, subject: 'carol-sub' }),
      }),
    );
    const identity = (await identities())[0]!;
    expect(identity.last_used_at).not.toBeNull();
    expect((await previous.get('/api/v1/auth/session')).statusCode).toBe(401);
    // The state was used up.
    expect(await t.database.db.selectFrom('oidc_requests').selectAll().execute()).toHaveLength(0);
  });

  it('trusts the second factor the IdP asserts in amr, and only the listed values', async () => {
    idp.users.set('carol-sub', { ...idp.users.get('carol-sub'), amr: ['pwd', 'otp'] });
    await addUser({ email: 'carol@acme.test' });
    const browser = t.client();
    await backInGatehouse(browser, await signInAtProvider(browser, 'carol-sub'));
    const withMfa = await t.database.db
      .selectFrom('sessions')
      .select('second_factor_at')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(withMfa.second_factor_at).not.toBeNull();
    expect((await signedInAs(browser)).assurance.mfaRequired).toBe(false);

    idp.users.set('carol-sub', { ...idp.users.get('carol-sub'), amr: ['pwd'] });
    const again = t.client();
    await backInGatehouse(again, await signInAtProvider(again, 'carol-sub'));
    const sessions = await t.database.db
      .selectFrom('sessions')
      .select('second_factor_at')
      .where('token_hash', '=', hashToken(again.cookie('gatehouse_session')!))
      .executeTakeFirstOrThrow();
    expect(sessions.second_factor_at).toBeNull();
    expect((await signedInAs(again)).assurance.mfaRequired).toBe(true);
  });

  it('links a member the first time by a verified email in a verified domain, then by issuer + sub', async () => {
    const bob = await addUser({ email: 'bob@acme.test' });
    const browser = t.client();
    const back = await backInGatehouse(browser, await signInAtProvider(browser, 'bob-sub'));
    expect(back.headers.location).toBe('/app');
    expect((await signedInAs(browser)).user.email).toBe('bob@acme.test');
    expect(await identities()).toEqual([
      expect.objectContaining({ user_id: bob, issuer: idp.issuer, subject: 'bob-sub' }),
    ]);
    expect(await events('user.identity_linked')).toEqual([
      expect.objectContaining({ target_id: bob, details: expect.objectContaining({ subject: 'bob-sub' }) }),
    ]);

    // The IdP later reports another address, even an unverified one: the link holds, by sub.
    idp.users.set('bob-sub', { email: 'robert@other.test', email_verified: false });
    const later = t.client();
    expect((await backInGatehouse(later, await signInAtProvider(later, 'bob-sub'))).headers.location).toBe('/app');
    expect((await signedInAs(later)).user.email).toBe('bob@acme.test');
    expect(await identities()).toHaveLength(1);
  });

  it('does not link by an email the IdP has not verified, nor one outside the verified domains', async () => {
    await addUser({ email: 'eve@acme.test' });
    const browser = t.client();
    const back = await backInGatehouse(browser, await signInAtProvider(browser, 'eve-sub'));
    expect(back.headers.location).toBe('/w/acme/sign-in?sso=email_unverified');
    expect(browser.cookie('gatehouse_session')).toBeUndefined();
    expect(await identities()).toHaveLength(0);
    expect(await events('auth.sign_in_failed')).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ via: 'oidc', reason: 'email_unverified' }) }),
    );

    await addUser({ email: 'mallory@elsewhere.test' });
    await t.database.db.updateTable('workspaces').set({ idp_jit: true }).execute();
    const other = t.client();
    expect((await backInGatehouse(other, await signInAtProvider(other, 'mallory-sub'))).headers.location).toBe(
      '/w/acme/sign-in?sso=domain_not_verified',
    );
    expect(await identities()).toHaveLength(0);
  });

  it('creates a member just in time when the workspace allows it, and refuses clearly when it does not', async () => {
    const refused = t.client();
    expect((await backInGatehouse(refused, await signInAtProvider(refused, 'dan-sub'))).headers.location).toBe(
      '/w/acme/sign-in?sso=not_provisioned',
    );
    const count = async () =>
      (
        await t.database.db
          .selectFrom('users')
          .select('id')
          .where(sql<string>`lower(email)`, '=', 'dan@acme.test')
          .execute()
      ).length;
    expect(await count()).toBe(0);

    await t.database.db.updateTable('workspaces').set({ idp_jit: true }).where('id', '=', workspaceId).execute();
    const browser = t.client();
    expect((await backInGatehouse(browser, await signInAtProvider(browser, 'dan-sub'))).headers.location).toBe('/app');
    const me = await signedInAs(browser);
    expect(me.user).toMatchObject({ email: 'dan@acme.test', role: 'member', status: 'active' });
    // A new member has not accepted the terms yet: the same first-sign-in gates as anyone's.
    expect(me.pending.terms).toBe(true);
    expect((await browser.get('/api/v1/accounts')).statusCode).toBe(403);
    const dan = await t.database.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'dan@acme.test')
      .executeTakeFirstOrThrow();
    expect(dan).toMatchObject({ kind: 'member', display_name: 'Dan Newman', password_hash: null });
    expect(await events('user.created_jit')).toEqual([expect.objectContaining({ target_id: dan.id })]);
    expect(await count()).toBe(1);
  });

  it('refuses a deactivated member, linked or not, and a guest with a matching email', async () => {
    const carol = await addUser({ email: 'carol@acme.test', status: 'deactivated' });
    await t.database.db
      .insertInto('user_identities')
      .values({ user_id: carol, workspace_id: workspaceId, issuer: idp.issuer, subject: 'carol-sub' })
      .execute();
    await addUser({ email: 'bob@acme.test', status: 'deactivated' });
    await addUser({ email: 'dan@acme.test', kind: 'guest' });
    await t.database.db.updateTable('workspaces').set({ idp_jit: true }).execute();
    for (const [login, reason] of [
      ['carol-sub', 'deactivated'],
      ['bob-sub', 'deactivated'],
      ['dan-sub', 'guest'],
    ] as const) {
      const browser = t.client();
      const back = await backInGatehouse(browser, await signInAtProvider(browser, login));
      expect(back.headers.location).toBe(`/w/acme/sign-in?sso=${reason}`);
      expect(browser.cookie('gatehouse_session')).toBeUndefined();
    }
    expect(await identities()).toHaveLength(1);
    expect(await t.database.db.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
  });

  it('activates an invited member and accepts their invitation', async () => {
    const bob = await addUser({ email: 'bob@acme.test', status: 'invited' });
    const invitation = await t.database.db
      .insertInto('invitations')
      .values({
        workspace_id: workspaceId,
        partner_id: null,
        user_id: bob,
        invited_by: null,
        role: 'member',
        temp_password_hash: null,
        link_token_hash: hashToken('join-token'),
        expires_at: new Date(Date.now() + 3600_000),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const browser = t.client();
    expect((await backInGatehouse(browser, await signInAtProvider(browser, 'bob-sub'))).headers.location).toBe('/app');
    expect((await signedInAs(browser)).user.status).toBe('active');
    const row = await t.database.db
      .selectFrom('invitations')
      .select(['state', 'accepted_at'])
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('accepted');
    expect(row.accepted_at).not.toBeNull();
    expect(await events('user.joined')).toEqual([expect.objectContaining({ target_id: bob })]);
  });

  it('refuses a replayed callback and an unknown state, without a session', async () => {
    await addUser({ email: 'bob@acme.test' });
    const browser = t.client();
    const callback = await signInAtProvider(browser, 'bob-sub');
    expect((await backInGatehouse(browser, callback)).headers.location).toBe('/app');

    // The same answer again (from history, or stolen): the state is spent.
    const replayer = t.client();
    replayer.setCookie('gatehouse_oidc', callback.searchParams.get('state')!);
    const replay = await backInGatehouse(replayer, callback);
    expect(replay.statusCode).toBe(302);
    expect(replay.headers.location).toBe('/login?sso=expired');
    expect(replayer.cookie('gatehouse_session')).toBeUndefined();

    const other = t.client();
    const real = await signInAtProvider(other, 'bob-sub');
    const wrong = new URL(real);
    wrong.searchParams.set('state', 'not-the-state');
    other.setCookie('gatehouse_oidc', 'not-the-state');
    expect((await backInGatehouse(other, wrong)).headers.location).toBe('/login?sso=expired');
    expect(other.cookie('gatehouse_session')).toBeUndefined();
  });

  it('keeps the client secret sealed; with a wrong one the IdP refuses the exchange and the person is told', async () => {
    const row = await t.database.db
      .selectFrom('workspaces')
      .select('idp_client_secret_sealed')
      .where('id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    expect(row.idp_client_secret_sealed).toBeTruthy();
    expect(row.idp_client_secret_sealed).not.toContain(idp.clientSecret);

    await addUser({ email: 'bob@acme.test' });
    await t.app.unitOfWork.run((tx) => setIdpClientSecret(tx, t.app.keyring, workspaceId, 'not-the-secret'));
    const browser = t.client();
    const back = await backInGatehouse(browser, await signInAtProvider(browser, 'bob-sub'));
    expect(back.headers.location).toBe('/w/acme/sign-in?sso=invalid_response');
    expect(await events('auth.sign_in_failed')).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ problem: 'invalid_client' }) }),
    );
  });

  it('shows the IdP refusing (error=access_denied) as such', async () => {
    const browser = t.client();
    const callback = await signInAtProvider(browser, 'bob-sub', 'abort');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const back = await backInGatehouse(browser, callback);
    expect(back.headers.location).toBe('/w/acme/sign-in?sso=denied');
    expect(await events('auth.sign_in_failed')).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'denied', idpError: 'access_denied' }) }),
    );
  });

  describe('refuses an answer that fails validation', () => {
    beforeEach(async () => {
      await addUser({ email: 'bob@acme.test' });
    });
    const expectInvalid = async (browser: TestClient, callback: URL) => {
      const back = await backInGatehouse(browser, callback);
      expect(back.statusCode).toBe(302);
      expect(back.headers.location).toBe('/w/acme/sign-in?sso=invalid_response');
      expect(browser.cookie('gatehouse_session')).toBeUndefined();
      expect(await identities()).toHaveLength(0);
    };

    it('a wrong iss in the authorization response', async () => {
      const browser = t.client();
      const callback = await signInAtProvider(browser, 'bob-sub');
      callback.searchParams.set('iss', 'http://127.0.0.1:1/evil');
      await expectInvalid(browser, callback);
    });

    it('an ID token for another client (audience), signed with the provider key', async () => {
      idp.tamperIdToken = (claims) => ({ claims: { ...claims, aud: 'another-client' }, resign: true });
      const browser = t.client();
      await expectInvalid(browser, await signInAtProvider(browser, 'bob-sub'));
    });

    it('a nonce that is not ours', async () => {
      idp.tamperIdToken = (claims) => ({ claims: { ...claims, nonce: 'someone-elses-nonce' }, resign: true });
      const browser = t.client();
      await expectInvalid(browser, await signInAtProvider(browser, 'bob-sub'));
    });

    it('an expired ID token', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      idp.tamperIdToken = (claims) => ({ claims: { ...claims, iat: past - 60, exp: past }, resign: true });
      const browser = t.client();
      await expectInvalid(browser, await signInAtProvider(browser, 'bob-sub'));
    });

    it('a tampered ID token (claims changed, signature kept)', async () => {
      idp.tamperIdToken = (claims) => ({ claims: { ...claims, sub: 'carol-sub' }, resign: false });
      const browser = t.client();
      await expectInvalid(browser, await signInAtProvider(browser, 'bob-sub'));
    });

    it('proves the checks can pass: the same token untampered signs in', async () => {
      idp.tamperIdToken = (claims) => ({ claims, resign: true });
      const browser = t.client();
      expect((await backInGatehouse(browser, await signInAtProvider(browser, 'bob-sub'))).headers.location).toBe(
        '/app',
      );
    });
  });
});
