import { turnOnMfa } from '../helpers/mfa.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { loginAtProvider, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { addMember, createPartner, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { setIdpClientSecret } from '../../src/services/oidc-sign-in.js';
import { createScimToken } from '../../src/services/scim/tokens.js';
import { createWorkspace, prepareOwnerPassword, type CreateWorkspaceInput } from '../../src/services/workspaces.js';

/**
 * SCIM 2.0 provisioning (SPEC §2b, RFC 7644): an identity provider creates, finds, changes, deactivates and
 * deletes members through /scim/v2 with a token an admin created, and moves them in and out of the admin
 * role through the one group. First RFC 7644's own examples, then what Okta and Microsoft Entra send.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let t: TestApp;
let owner: TestClient;
beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  // Creating a token needs a confirmed identity; turning MFA on counts as one (for five minutes).
  await turnOnMfa(owner);
});
afterEach(async () => {
  await t.close();
});

async function createToken(by: TestClient, name = 'Okta'): Promise<string> {
  const response = await by.post('/api/v1/workspace/scim-tokens', { name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().token as string;
}

/** An identity provider's SCIM client: bearer token, application/scim+json. */
function scim(token: string | null) {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const response = await t.app.inject({
      method,
      url: `/scim/v2${url}`,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    if (response.statusCode !== 204)
      expect(response.headers['content-type'], response.body).toMatch(/^application\/scim\+json/);
    return response;
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown) => call('POST', url, body),
    put: (url: string, body: unknown) => call('PUT', url, body),
    patch: (url: string, operations: unknown[]) => call('PATCH', url, { schemas: [PATCH_OP], Operations: operations }),
    raw: call,
    delete: (url: string) => call('DELETE', url),
  };
}

function expectScimError(response: LightMyRequestResponse, status: number, scimType?: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toMatchObject({
    schemas: [ERROR],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.any(String),
  });
}

/** The events SCIM caused (or, for token events, the admins' doings), oldest first. */
async function activity(actions: string[]) {
  const events = await t.app.db
    .selectFrom('activity_events')
    .select(['action', 'actor_id', 'details'])
    .where('action', 'in', actions)
    .where((eb) =>
      eb.or([eb(sql<string>`details->>'via'`, '=', 'scim'), eb('action', 'like', 'workspace.scim_token_%')]),
    )
    .orderBy('seq')
    .execute();
  return events;
}

/** RFC 7644 §3.3's example user, with an address Gatehouse can use as its username. */
const BJENSEN = {
  schemas: [USER],
  userName: 'bjensen@example.com',
  externalId: 'bjensen',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
};

describe('RFC 7644 examples', () => {
  it('creates (§3.3), gets (§3.4.1), filters (§3.4.2), replaces (§3.5.1), patches (§3.5.2) and deletes (§3.6) a user', async () => {
    const idp = scim(await createToken(owner));

    const created = await idp.post('/Users', BJENSEN);
    expect(created.statusCode, created.body).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({
      schemas: [USER],
      externalId: 'bjensen',
      userName: 'bjensen@example.com',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      active: true,
      meta: { resourceType: 'User', location: `${t.config.publicUrl.origin}/scim/v2/Users/${user.id}` },
    });
    expect(created.headers.location).toBe(user.meta.location);
    // A member of the workspace, with no Gatehouse password: they sign in through the IdP.
    const row = await t.app.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'member', role: 'member', status: 'active', password_hash: null });
    const members = (await owner.get('/api/v1/members')).json().members as Array<{ email: string; status: string }>;
    expect(members.find((m) => m.email === 'bjensen@example.com')).toMatchObject({ status: 'active' });

    expect((await idp.get(`/Users/${user.id}`)).json()).toEqual(user);

    // §3.4.2: the filter a connector sends before creating someone; userName compares case-insensitively.
    const found = await idp.get(`/Users?filter=${encodeURIComponent('userName eq "BJensen@example.com"')}`);
    expect(found.json()).toMatchObject({
      schemas: [LIST],
      totalResults: 1,
      startIndex: 1,
      Resources: [{ id: user.id }],
    });
    const byExternalId = await idp.get(`/Users?filter=${encodeURIComponent('externalId eq "bjensen"')}`);
    expect(byExternalId.json().Resources).toHaveLength(1);
    const none = await idp.get(`/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.json()).toMatchObject({ totalResults: 0, Resources: [] });
    // Other filters work too (evaluated by scim2-parse-filter), and a malformed one is a SCIM error.
    const starts = await idp.get(`/Users?filter=${encodeURIComponent('name.familyName sw "Jen"')}`);
    expect(starts.json().Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
    expectScimError(await idp.get(`/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');

    // §3.5.1: PUT replaces the whole user.
    const replaced = await idp.put(`/Users/${user.id}`, {
      ...BJENSEN,
      id: user.id,
      name: { givenName: 'Babs', familyName: 'Jensen' },
      displayName: 'Babs Jensen',
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ displayName: 'Babs Jensen', name: { givenName: 'Babs' }, active: true });

    // §3.5.2: PATCH with a path, and a remove.
    const patched = await idp.patch(`/Users/${user.id}`, [
      { op: 'replace', path: 'name.givenName', value: 'Barbara' },
      { op: 'add', path: 'displayName', value: 'Barbara Jensen' },
    ]);
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ displayName: 'Barbara Jensen', name: { givenName: 'Barbara' } });

    // §3.6: DELETE; afterwards the user is gone for SCIM (404) and deactivated in Gatehouse.
    const deleted = await idp.delete(`/Users/${user.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expectScimError(await idp.get(`/Users/${user.id}`), 404);
    expect(
      (await idp.get(`/Users?filter=${encodeURIComponent('userName eq "bjensen@example.com"')}`)).json(),
    ).toMatchObject({
      totalResults: 0,
    });
    const after = (await owner.get('/api/v1/members')).json().members as Array<{ email: string; status: string }>;
    expect(after.find((m) => m.email === 'bjensen@example.com')).toMatchObject({ status: 'deactivated' });

    // Provisioned again, the same person comes back, active.
    const again = await idp.post('/Users', BJENSEN);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ id: user.id, active: true });

    const events = await activity(['member.created', 'member.updated', 'user.deactivated', 'user.reactivated']);
    expect(events.map((e) => e.action)).toEqual([
      'member.created',
      'member.updated', // PUT
      'member.updated', // PATCH
      'user.deactivated', // DELETE
      'member.updated', // provisioned again under RFC 7644's formatted name
      'user.reactivated',
    ]);
    for (const event of events) {
      expect(event.actor_id).toBeNull();
      expect(event.details).toMatchObject({ via: 'scim', tokenName: 'Okta' });
    }
    const log = (await owner.get('/api/v1/activity')).json();
    expect(JSON.stringify(log)).toContain('The identity provider (SCIM token “Okta”) added');
  });

  it('answers errors in SCIM’s format: uniqueness (409), bad values and syntax (400), unknown ids (404), never problem+json', async () => {
    const idp = scim(await createToken(owner));
    expect((await idp.post('/Users', BJENSEN)).statusCode).toBe(201);
    expectScimError(await idp.post('/Users', { ...BJENSEN, externalId: 'other' }), 409, 'uniqueness');
    // The owner's address is taken too (and guests' are): one person per address in a workspace.
    expectScimError(await idp.post('/Users', { schemas: [USER], userName: OWNER.email }), 409, 'uniqueness');
    expectScimError(
      await idp.post('/Users', { schemas: [USER], userName: 'other@example.com', externalId: 'bjensen' }),
      409,
      'uniqueness',
    );
    expectScimError(await idp.post('/Users', { schemas: [USER], userName: 'not an address' }), 400, 'invalidValue');
    expectScimError(await idp.post('/Users', { schemas: [USER] }), 400, 'invalidSyntax');
    expectScimError(await idp.raw('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    expectScimError(await idp.get('/Users/5e1f0f0e-0000-4000-8000-000000000000'), 404);
    expectScimError(await idp.get('/Users/not-a-uuid'), 404);
    expectScimError(await idp.get('/Nothing'), 404);
    const users = (await idp.get('/Users')).json();
    expectScimError(
      await idp.raw('PATCH', `/Users/${users.Resources[1].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'frob' }] }),
      400,
      'invalidSyntax',
    );
  });

  it('pages with startIndex and count (§3.4.2.4) and shows members only, never guests', async () => {
    const idp = scim(await createToken(owner));
    for (const n of [1, 2, 3, 4])
      expect((await idp.post('/Users', { schemas: [USER], userName: `p${n}@example.com` })).statusCode).toBe(201);
    const first = (await idp.get('/Users?startIndex=1&count=2')).json();
    expect(first).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2 });
    expect(first.Resources.map((r: { userName: string }) => r.userName)).toEqual([OWNER.email, 'p1@example.com']);
    const last = (await idp.get('/Users?startIndex=5&count=2')).json();
    expect(last.Resources.map((r: { userName: string }) => r.userName)).toEqual(['p4@example.com']);
    expect((await idp.get('/Users?count=0')).json()).toMatchObject({ totalResults: 5, Resources: [] });
  });

  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const idp = scim(await createToken(owner));
    expect((await idp.get('/ServiceProviderConfig')).json()).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
    const types = (await idp.get('/ResourceTypes')).json();
    expect(types.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    const schemas = (await idp.get('/Schemas')).json();
    expect(schemas.Resources.map((r: { id: string }) => r.id)).toContain(USER);
    expect((await idp.get(`/Schemas/${USER}`)).json().attributes[0]).toMatchObject({ name: 'userName' });
  });
});

describe('tokens', () => {
  it('no token, a wrong or revoked token: 401 in SCIM’s format; a token sees only its own workspace', async () => {
    const token = await createToken(owner, 'Entra');
    expectScimError(await scim(null).get('/Users'), 401);
    expectScimError(await scim('gh_scim_not-a-real-token-at-all').get('/Users'), 401);
    const unauthenticated = await scim(null).get('/Users');
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Bearer/);

    const listed = (await owner.get('/api/v1/workspace/scim-tokens')).json();
    expect(listed.scimUrl).toBe(`${t.config.publicUrl.origin}/scim/v2`);
    expect(listed.tokens).toEqual([
      expect.objectContaining({ name: 'Entra', createdBy: OWNER.displayName, lastUsedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await scim(token).get('/Users')).statusCode).toBe(200);
    expect((await owner.get('/api/v1/workspace/scim-tokens')).json().tokens[0].lastUsedAt).not.toBeNull();
    // Only the hash is stored.
    const stored = await t.app.db.selectFrom('scim_tokens').select('token_hash').executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);

    // Another workspace's token sees none of Acme's people and cannot reach them by id.
    const input: CreateWorkspaceInput = {
      slug: 'globex',
      name: 'Globex',
      owner: { email: 'gil@globex.test', displayName: 'Gil Owner', password: 'globex owner long password' },
    };
    const passwordHash = await prepareOwnerPassword(input);
    const context = { ip: null, userAgent: 'test' };
    await t.app.unitOfWork.run((tx) => createWorkspace(tx, input, passwordHash, context));
    const gil = await t.app.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'gil@globex.test')
      .executeTakeFirstOrThrow();
    const globexToken = await t.app.unitOfWork.run((tx) =>
      createScimToken(
        tx,
        { userId: gil.id, workspaceId: gil.workspace_id, role: 'owner', status: 'active' },
        'Globex IdP',
        context,
      ),
    );
    const globex = scim(globexToken.token);
    const seen = (await globex.get('/Users')).json();
    expect(seen.Resources.map((r: { userName: string }) => r.userName)).toEqual(['gil@globex.test']);
    const acmeOwnerId = (await scim(token).get('/Users')).json().Resources[0].id as string;
    expectScimError(await globex.get(`/Users/${acmeOwnerId}`), 404);
    expectScimError(await globex.patch(`/Users/${acmeOwnerId}`, [{ op: 'replace', value: { active: false } }]), 404);
    expectScimError(await globex.delete(`/Users/${acmeOwnerId}`), 404);

    const id = listed.tokens[0].id as string;
    const revoked = await owner.request({ method: 'DELETE', url: `/api/v1/workspace/scim-tokens/${id}` });
    expect(revoked.statusCode, revoked.body).toBe(204);
    expectScimError(await scim(token).get('/Users'), 401);
    expect((await owner.get('/api/v1/workspace/scim-tokens')).json().tokens).toEqual([]);
    expect(
      (await activity(['workspace.scim_token_created', 'workspace.scim_token_revoked'])).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('only the owner creates tokens (one can make admins), with a confirmed identity; admins see and revoke them', async () => {
    await addMember(owner, 'adam@acme.test', 'admin');
    await addMember(owner, 'mia@acme.test', 'member');
    const admin = await signIn(t, 'adam@acme.test', MEMBER_PASSWORD);
    const member = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    for (const client of [admin, member])
      expect((await client.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
    const byAdmin = await admin.post('/api/v1/workspace/scim-tokens', { name: 'Okta' });
    expect(byAdmin.statusCode).toBe(403);
    await turnOnMfa(admin);
    const byAdminWithMfa = await admin.post('/api/v1/workspace/scim-tokens', { name: 'Okta' });
    expect(byAdminWithMfa.statusCode).toBe(403);
    expect(byAdminWithMfa.json().detail).toMatch(/Only the workspace owner creates SCIM tokens/);
    await createToken(owner, 'Okta');
    expect((await member.post('/api/v1/workspace/scim-tokens', { name: 'Mine' })).statusCode).toBe(403);
    expect((await member.get('/api/v1/workspace/scim-tokens')).statusCode).toBe(403);
    const id = (await admin.get('/api/v1/workspace/scim-tokens')).json().tokens[0].id as string;
    const refused = await member.request({ method: 'DELETE', url: `/api/v1/workspace/scim-tokens/${id}` });
    expect(refused.statusCode).toBe(403);
    expect((await t.client().get('/api/v1/workspace/scim-tokens')).statusCode).toBe(401);
  });
});

/** A member who signed in, with a trusted device and a share of an account they alone own. */
async function signedInMemberWithGrant(email: string) {
  const userId = await addMember(owner, email);
  const session = await signIn(t, email, MEMBER_PASSWORD);
  expect((await session.get('/api/v1/auth/session')).statusCode).toBe(200);
  const workspace = await t.app.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
  const account = await t.app.db
    .insertInto('accounts')
    .values({ workspace_id: workspace.id, name: 'Instagram', app_name: 'Instagram' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.app.db.insertInto('grants').values({ account_id: account.id, user_id: userId, role: 'owner' }).execute();
  return { userId, session, accountId: account.id };
}

async function grantsOf(userId: string) {
  return t.app.db.selectFrom('grants').select(['account_id', 'role']).where('user_id', '=', userId).execute();
}

describe('the Okta provisioning sequence', () => {
  it('links an existing member, patches attributes, deactivates (session and grants end), reactivates, and moves admins through the group', async () => {
    const mia = await signedInMemberWithGrant('mia@acme.test');
    const agency = await createPartner(owner, 'Agency', 'gina@agency.test', [mia.userId]);
    const okta = scim(await createToken(owner, 'Okta'));

    // Okta looks the person up before creating them, and links the one it finds.
    const lookup = (
      await okta.get(`/Users?filter=${encodeURIComponent('userName eq "mia@acme.test"')}&startIndex=1&count=100`)
    ).json();
    expect(lookup.totalResults).toBe(1);
    const id = lookup.Resources[0].id as string;
    expect(id).toBe(mia.userId);

    // Profile push: Okta's attribute PATCH without a path.
    const renamed = await okta.patch(`/Users/${id}`, [
      { op: 'replace', value: { name: { givenName: 'Mia', familyName: 'Musterfrau' }, displayName: 'Mia Musterfrau' } },
    ]);
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ displayName: 'Mia Musterfrau', active: true });
    // She signs in with a Gatehouse password, so her address is not changed through SCIM.
    expectScimError(
      await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { userName: 'mia@evil.test' } }]),
      400,
      'mutability',
    );

    // Unassigned in Okta: {"op":"replace","value":{"active":false}}.
    const deactivated = await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }]);
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    expect(deactivated.json().active).toBe(false);
    // Her signed-in session ends on its next request, and her grant is gone; the account she alone owned
    // passed to the workspace owner instead of blocking the IdP.
    expect((await mia.session.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect(await grantsOf(mia.userId)).toEqual([]);
    const ownerId = (await okta.get(`/Users?filter=${encodeURIComponent(`userName eq "${OWNER.email}"`)}`)).json()
      .Resources[0].id as string;
    expect(await grantsOf(ownerId)).toEqual([{ account_id: mia.accountId, role: 'owner' }]);
    const hosts = await t.app.db
      .selectFrom('partner_members')
      .select('user_id')
      .where('partner_id', '=', agency.id)
      .where('role', '=', 'host_admin')
      .execute();
    expect(hosts).toEqual([{ user_id: ownerId }]);
    expect((await signIn(t, 'mia@acme.test', MEMBER_PASSWORD).catch(() => null)) === null).toBe(true);

    // A PUT of her profile without `active` leaves her deactivated.
    const put = await okta.put(`/Users/${id}`, {
      schemas: [USER],
      userName: 'mia@acme.test',
      name: { givenName: 'Mia' },
    });
    expect(put.json().active).toBe(false);

    // Reassigned: active again, sign-in only (no grant comes back).
    const reactivated = await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: true } }]);
    expect(reactivated.json().active).toBe(true);
    await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    expect(await grantsOf(mia.userId)).toEqual([]);

    // Group push: the admins' group is found by name, members added and removed; the owner is never moved.
    const groups = (await okta.get(`/Groups?filter=${encodeURIComponent('displayName eq "Gatehouse admins"')}`)).json();
    expect(groups.totalResults).toBe(1);
    const groupId = groups.Resources[0].id as string;
    const added = await okta.patch(`/Groups/${groupId}`, [
      { op: 'add', path: 'members', value: [{ value: id, display: 'mia@acme.test' }, { value: ownerId }] },
    ]);
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().members.map((m: { value: string }) => m.value)).toEqual([id]);
    expect((await okta.get(`/Users/${id}`)).json().groups).toEqual([expect.objectContaining({ value: groupId })]);
    const members = (await owner.get('/api/v1/members')).json().members as Array<{ email: string; role: string }>;
    expect(members.find((m) => m.email === 'mia@acme.test')?.role).toBe('admin');
    const removed = await okta.patch(`/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq "${id}"]` }]);
    expect(removed.json().members).toEqual([]);
    const after = (await owner.get('/api/v1/members')).json().members as Array<{ email: string; role: string }>;
    expect(after.find((m) => m.email === 'mia@acme.test')?.role).toBe('member');
    expect(after.find((m) => m.email === OWNER.email)?.role).toBe('owner');
    expectScimError(await okta.post('/Groups', { displayName: 'Sales' }), 403);
    expectScimError(await okta.put(`/Groups/${groupId}`, { displayName: 'Renamed', members: [] }), 400, 'mutability');

    // The owner is never deactivated through SCIM.
    expectScimError(await okta.patch(`/Users/${ownerId}`, [{ op: 'replace', value: { active: false } }]), 403);
    expectScimError(await okta.delete(`/Users/${ownerId}`), 403);

    const roleEvents = await activity(['member.role_changed']);
    expect(roleEvents.map((e) => (e.details as { to: string }).to)).toEqual(['admin', 'member']);
    expect(roleEvents.every((e) => e.actor_id === null)).toBe(true);
  });
});

describe('an invited member', () => {
  it('is inactive for SCIM until the IdP activates them, which accepts the invitation; deactivating one revokes it', async () => {
    const invited = await owner.post('/api/v1/members', { email: 'ivy@acme.test', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    const okta = scim(await createToken(owner));
    const found = (await okta.get(`/Users?filter=${encodeURIComponent('userName eq "ivy@acme.test"')}`)).json();
    expect(found.Resources[0]).toMatchObject({ active: false });
    const id = found.Resources[0].id as string;
    expect((await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: true } }])).json().active).toBe(true);
    const members = (await owner.get('/api/v1/members')).json().members as Array<Record<string, unknown>>;
    expect(members.find((m) => m.email === 'ivy@acme.test')).toMatchObject({ status: 'active', invitation: null });
    expect((await activity(['user.joined'])).map((e) => e.details)).toEqual([
      expect.objectContaining({ via: 'scim', email: 'ivy@acme.test' }),
    ]);

    const second = await owner.post('/api/v1/members', { email: 'ian@acme.test', role: 'member' });
    const ianId = second.json().id as string;
    expect((await okta.patch(`/Users/${ianId}`, [{ op: 'replace', path: 'active', value: false }])).statusCode).toBe(
      200,
    );
    const invitation = await t.app.db
      .selectFrom('invitations')
      .select('state')
      .where('user_id', '=', ianId)
      .executeTakeFirstOrThrow();
    expect(invitation.state).toBe('revoked');
  });
});

describe('the Microsoft Entra provisioning sequence', () => {
  it('creates, patches with capitalised ops and string booleans, deactivates, reactivates and deletes', async () => {
    const entra = scim(await createToken(owner, 'Entra ID'));
    // Entra probes for a user that does not exist first.
    const probe = await entra.get(`/Users?filter=${encodeURIComponent('userName eq "7c5c0b4a-probe@example.com"')}`);
    expect(probe.json().totalResults).toBe(0);

    const created = await entra.post('/Users', {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: 'e1f2',
      userName: 'Nina.Nguyen@acme.test',
      active: true,
      displayName: 'Nina Nguyen',
      emails: [{ primary: true, type: 'work', value: 'Nina.Nguyen@acme.test' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Nina Nguyen', familyName: 'Nguyen', givenName: 'Nina' },
      roles: [],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ userName: 'nina.nguyen@acme.test', externalId: 'e1f2' });

    const patched = await entra.patch(`/Users/${id}`, [
      { op: 'Replace', path: 'name.familyName', value: 'Nguyen-Smith' },
      { op: 'Add', path: 'title', value: 'Sales lead' },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Ops' },
      { op: 'Replace', path: 'userName', value: 'nina@acme.test' },
    ]);
    expect(patched.statusCode, patched.body).toBe(200);
    // A member who signs in through the IdP has her address changed by it.
    expect(patched.json()).toMatchObject({ userName: 'nina@acme.test', name: { familyName: 'Nguyen-Smith' } });

    const disabled = await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json().active).toBe(false);
    const enabled = await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'True' }]);
    expect(enabled.json().active).toBe(true);

    // Entra's group shapes: Add members, Remove members with a value list.
    const groupId = (await entra.get('/Groups?excludedAttributes=members')).json().Resources[0].id as string;
    expect(
      (await entra.patch(`/Groups/${groupId}`, [{ op: 'Add', path: 'members', value: [{ value: id }] }])).statusCode,
    ).toBe(200);
    expect((await entra.get(`/Groups/${groupId}`)).json().members).toEqual([expect.objectContaining({ value: id })]);
    expect(
      (await entra.patch(`/Groups/${groupId}`, [{ op: 'Remove', path: 'members', value: [{ value: id }] }])).json()
        .members,
    ).toEqual([]);

    // Soft delete then hard delete.
    expect((await entra.patch(`/Users/${id}`, [{ op: 'Replace', path: 'active', value: 'False' }])).statusCode).toBe(
      200,
    );
    expect((await entra.delete(`/Users/${id}`)).statusCode).toBe(204);
    expectScimError(await entra.get(`/Users/${id}`), 404);
    expect((await entra.get(`/Users?filter=${encodeURIComponent('externalId eq "e1f2"')}`)).json().totalResults).toBe(
      0,
    );

    // Disabled twice, deleted once while already disabled: two deactivations, nothing more to end.
    const deactivations = await activity(['user.deactivated']);
    expect(deactivations.map((e) => (e.details as { reason: string }).reason)).toEqual([
      'deprovisioned',
      'deprovisioned',
    ]);
    expect(deactivations[0]!.details).toMatchObject({ via: 'scim', tokenName: 'Entra ID' });
  });
});

describe('with the OpenID provider', () => {
  let idp: TestOidcProvider;
  afterEach(async () => {
    await idp?.close();
    clearDiscoveryCache();
  });

  /** Signs in at the provider as `login` from the waiting page's start, and follows the callback. */
  async function signInThroughIdp(browser: TestClient, login: string) {
    const start = await browser.get('/api/v1/workspaces/globex/oidc/start');
    expect(start.statusCode, start.body).toBe(302);
    const location = await loginAtProvider(idp, String(start.headers.location), login);
    return browser.get(location.pathname + location.search);
  }

  it('a member created through SCIM signs in through the IdP; deactivated through SCIM, the session ends and the IdP sign-in is refused', async () => {
    idp = await startOidcProvider({
      redirectUris: [new URL('/api/v1/oidc/callback', t.config.publicUrl).href],
      users: { 'olga-sub': { email: 'olga@globex.test', email_verified: true, name: 'Olga Okta' } },
    });
    const input: CreateWorkspaceInput = {
      slug: 'globex',
      name: 'Globex',
      mode: 'idp',
      domains: ['globex.test'],
      owner: { email: 'gil@globex.test', displayName: 'Gil Owner', password: 'globex owner long password' },
      idp: { issuer: idp.issuer, clientId: idp.clientId },
    };
    const context = { ip: null, userAgent: 'test' };
    const passwordHash = await prepareOwnerPassword(input);
    const { workspace } = await t.app.unitOfWork.run((tx) => createWorkspace(tx, input, passwordHash, context));
    await t.app.unitOfWork.run((tx) => setIdpClientSecret(tx, t.app.keyring, workspace.id, idp.clientSecret));
    const gil = await t.app.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'gil@globex.test')
      .executeTakeFirstOrThrow();
    const { token } = await t.app.unitOfWork.run((tx) =>
      createScimToken(
        tx,
        { userId: gil.id, workspaceId: workspace.id, role: 'owner', status: 'active' },
        'Okta',
        context,
      ),
    );
    const okta = scim(token);

    const created = await okta.post('/Users', {
      schemas: [USER],
      userName: 'olga@globex.test',
      name: { givenName: 'Olga', familyName: 'Okta' },
      active: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;

    const browser = t.client();
    const back = await signInThroughIdp(browser, 'olga-sub');
    expect(back.headers.location).toBe('/app');
    const session = await browser.get('/api/v1/auth/session');
    expect(session.json().user).toMatchObject({ id, email: 'olga@globex.test', role: 'member' });

    expect((await okta.patch(`/Users/${id}`, [{ op: 'replace', value: { active: false } }])).statusCode).toBe(200);
    expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(401);
    const again = await signInThroughIdp(t.client(), 'olga-sub');
    expect(again.headers.location).toBe('/w/globex/sign-in?sso=deactivated');
  });
});
