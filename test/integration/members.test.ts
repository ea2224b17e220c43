import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, MEMBER_PASSWORD, readJoinLink, signIn } from '../helpers/partners.js';

/**
 * Invite member (SPEC §2a): an admin names the email and the role; the person joins from the emailed
 * link and chooses their own password. Nobody else chooses or sees it.
 */

let t: TestApp;
let owner: TestClient;
beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

const BOB_PASSWORD = 'bob chose this one himself';

async function invite(by: TestClient, email: string, role: 'admin' | 'member' = 'member') {
  const response = await by.post('/api/v1/members', { email, role });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

async function join(token: string, password = BOB_PASSWORD, passwordAgain = password) {
  return t.client().post('/api/v1/member-invitations/join', {
    token,
    password,
    passwordAgain,
    givenName: 'Bob',
    familyName: 'Builder',
  });
}

async function memberRow(email: string) {
  const members = (await owner.get('/api/v1/members')).json().members as Array<Record<string, unknown>>;
  return members.find((m) => m.email === email);
}

describe('inviting a member', () => {
  it('sends a Join workspace link, never a password; the person chooses theirs and is signed in', async () => {
    const id = await invite(owner, 'bob@acme.test');
    expect(await memberRow('bob@acme.test')).toMatchObject({
      id,
      status: 'invited',
      role: 'member',
      invitation: { state: 'pending' },
      permissions: { resendInvitation: true, revokeInvitation: true, deactivate: false },
    });
    const mails = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ to: string; text: string }>;
    const mail = mails.find((m) => m.to === 'bob@acme.test')!;
    expect(mail.text).toContain('Join workspace: http');
    expect(mail.text).not.toMatch(/password:/i);

    const { token } = await readJoinLink(owner, 'bob@acme.test');
    const lookup = await t.client().get(`/api/v1/member-invitations/${token}`);
    expect(lookup.json()).toMatchObject({
      state: 'pending',
      email: 'bob@acme.test',
      role: 'member',
      invitedBy: OWNER.displayName,
      workspace: { slug: OWNER.slug, mode: 'local' },
    });

    const joined = await join(token);
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json().user).toMatchObject({ email: 'bob@acme.test', displayName: 'Bob Builder', status: 'active' });
    expect(await memberRow('bob@acme.test')).toMatchObject({ status: 'active', invitation: null });
    // The password they chose is the one that works.
    await signIn(t, 'bob@acme.test', BOB_PASSWORD);
  });

  it('the link works once', async () => {
    await invite(owner, 'bob@acme.test');
    const { token } = await readJoinLink(owner, 'bob@acme.test');
    expect((await join(token)).statusCode).toBe(200);
    const again = await join(token, 'someone else took the link');
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('/api/problems/invitation-accepted');
    await signIn(t, 'bob@acme.test', BOB_PASSWORD);
  });

  it('holds the chosen password to the workspace policy and to matching twice', async () => {
    await invite(owner, 'bob@acme.test');
    const { token } = await readJoinLink(owner, 'bob@acme.test');
    const weak = await join(token, 'bob@acme.test');
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors.map((e: { path: string }) => e.path)).toContain('password');
    const mismatch = await join(token, BOB_PASSWORD, `${BOB_PASSWORD}!`);
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().errors).toContainEqual({
      path: 'passwordAgain',
      message: 'The two passwords do not match.',
    });
    expect(await memberRow('bob@acme.test')).toMatchObject({ status: 'invited' });
  });

  it('an invited member cannot sign in before joining', async () => {
    await invite(owner, 'bob@acme.test');
    const response = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: 'bob@acme.test', password: BOB_PASSWORD });
    expect(response.statusCode).toBe(401);
  });

  it('Resend invitation voids the old link; Revoke voids the link and shows the person deactivated', async () => {
    const id = await invite(owner, 'bob@acme.test');
    const first = await readJoinLink(owner, 'bob@acme.test');
    expect((await owner.post(`/api/v1/members/${id}/resend-invitation`)).statusCode).toBe(204);
    const second = await readJoinLink(owner, 'bob@acme.test');
    expect(second.token).not.toBe(first.token);
    expect((await t.client().get(`/api/v1/member-invitations/${first.token}`)).statusCode).toBe(404);

    expect((await owner.post(`/api/v1/members/${id}/revoke-invitation`)).statusCode).toBe(204);
    expect(await memberRow('bob@acme.test')).toMatchObject({
      status: 'deactivated',
      invitation: { state: 'revoked' },
      permissions: { reactivate: false, resendInvitation: false },
    });
    const late = await join(second.token);
    expect(late.statusCode).toBe(410);
    expect(late.json().type).toBe('/api/problems/invitation-revoked');
    expect((await owner.post(`/api/v1/members/${id}/reactivate`)).json().type).toBe(
      '/api/problems/member-never-joined',
    );

    // Invited again, the same person starts afresh.
    expect(await invite(owner, 'bob@acme.test', 'admin')).toBe(id);
    const third = await readJoinLink(owner, 'bob@acme.test');
    expect((await join(third.token)).statusCode).toBe(200);
    expect(await memberRow('bob@acme.test')).toMatchObject({ status: 'active', role: 'admin' });
  });

  it('an expired link says so and asks for a new invitation', async () => {
    await invite(owner, 'bob@acme.test');
    const { token } = await readJoinLink(owner, 'bob@acme.test');
    await t.database.db
      .updateTable('invitations')
      .set({ expires_at: sql`now() - interval '1 minute'` })
      .execute();
    expect((await t.client().get(`/api/v1/member-invitations/${token}`)).json().state).toBe('expired');
    const late = await join(token);
    expect(late.statusCode).toBe(410);
    expect(late.json().type).toBe('/api/problems/invitation-expired');
  });

  it('in an idp workspace the link sends the person to the identity provider: no password is set', async () => {
    await invite(owner, 'bob@acme.test');
    // Read before the switch: the owner's password session of an idp workspace must turn on MFA first.
    const { token } = await readJoinLink(owner, 'bob@acme.test');
    await t.database.db.updateTable('workspaces').set({ mode: 'idp' }).execute();
    expect((await t.client().get(`/api/v1/member-invitations/${token}`)).json().workspace.mode).toBe('idp');
    const joined = await join(token);
    expect(joined.statusCode).toBe(409);
    expect(joined.json().type).toBe('/api/problems/sign-in-with-idp');
  });

  it('refuses an address already in the workspace, whatever its case, and a body with a password', async () => {
    for (const email of ['ADA@acme.test', 'ada@acme.test']) {
      const response = await owner.post('/api/v1/members', { email, role: 'member' });
      expect(response.statusCode).toBe(409);
      expect(response.json().type).toBe('/api/problems/email-taken');
    }
    const withPassword = await owner.post('/api/v1/members', {
      email: 'carol@acme.test',
      role: 'member',
      password: 'an admin must never choose it',
    });
    expect(withPassword.statusCode).toBe(400);
  });

  it('records member.invited and user.joined, with no password in any event', async () => {
    await invite(owner, 'bob@acme.test');
    const { token } = await readJoinLink(owner, 'bob@acme.test');
    await join(token);
    const events = (await owner.get('/api/v1/activity')).json().events as Array<{ action: string }>;
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['member.invited', 'user.joined']));
    expect(JSON.stringify(events)).not.toContain(BOB_PASSWORD);
  });
});

describe('who may invite', () => {
  it('admins invite members but not admins; members and guests invite nobody', async () => {
    await addMember(owner, 'alice@acme.test', 'admin');
    await addMember(owner, 'mia@acme.test', 'member');
    const alice = await signIn(t, 'alice@acme.test', MEMBER_PASSWORD);
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    for (const client of [alice, mia]) {
      const session = await client.get('/api/v1/auth/session');
      if (session.json().pending?.terms) {
        const { version } = (await client.get('/api/v1/terms/current')).json() as { version: number };
        await client.post('/api/v1/terms/accept', { version });
      }
    }
    expect((await alice.post('/api/v1/members', { email: 'bob@acme.test', role: 'member' })).statusCode).toBe(201);
    const adminByAdmin = await alice.post('/api/v1/members', { email: 'carl@acme.test', role: 'admin' });
    expect(adminByAdmin.statusCode).toBe(403);
    expect(adminByAdmin.json().detail).toBe('Only the workspace owner can invite an admin.');
    expect((await mia.post('/api/v1/members', { email: 'dan@acme.test', role: 'member' })).statusCode).toBe(403);
    expect((await t.client().post('/api/v1/members', { email: 'eve@acme.test', role: 'member' })).statusCode).toBe(401);
  });
});

describe('the database itself', () => {
  it('refuses a second owner in a workspace (users_one_owner)', async () => {
    const { db } = t.database;
    const workspace = await db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
    const insertOwner = db.insertInto('users').values({
      workspace_id: workspace.id,
      email: 'second-owner@acme.test',
      username: 'second-owner@acme.test',
      display_name: 'Second Owner',
      kind: 'member',
      role: 'owner',
      status: 'active',
      password_hash: null,
      updated_at: sql<Date>`now()`,
    });
    await expect(insertOwner.execute()).rejects.toMatchObject({
      code: '23505',
      message: expect.stringContaining('users_one_owner'),
    });
    const owners = await db.selectFrom('users').select('email').where('role', '=', 'owner').execute();
    expect(owners).toEqual([{ email: OWNER.email }]);
  });

  it('refuses a second owner through an update too', async () => {
    const id = await addMember(owner, 'bob@acme.test');
    const promote = t.database.db.updateTable('users').set({ role: 'owner' }).where('id', '=', id);
    await expect(promote.execute()).rejects.toMatchObject({ code: '23505' });
  });

  it('a member invitation holds no temporary password and no partner (invitations_member_or_guest)', async () => {
    const id = await invite(owner, 'bob@acme.test');
    const row = await t.database.db
      .selectFrom('invitations')
      .selectAll()
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ partner_id: null, temp_password_hash: null, role: 'member' });
    await expect(
      t.database.db.updateTable('invitations').set({ temp_password_hash: 'x' }).where('id', '=', row.id).execute(),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
