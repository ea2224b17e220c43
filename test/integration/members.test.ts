import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';

const ADMIN = {
  email: 'alice@acme.test',
  displayName: 'Alice Admin',
  role: 'admin',
  password: 'alice has a long password',
} as const;
const MEMBER = {
  email: 'bob@acme.test',
  displayName: 'Bob Member',
  role: 'member',
  password: 'bob has a long password',
} as const;
const CAROL = {
  email: 'carol@acme.test',
  displayName: 'Carol',
  role: 'member',
  password: 'carol has a long password',
} as const;

type NewMember = { email: string; displayName: string; role: 'admin' | 'member'; password: string };

let t: TestApp;
let owner: TestClient;
beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

/** Adds a member through the API and fails loudly if that does not work. */
async function add(by: TestClient, member: NewMember) {
  const response = await by.post('/api/v1/members', member);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as {
    id: string;
    email: string;
    displayName: string;
    role: string;
    status: string;
    createdAt: string;
  };
}

/** A separate browser signed in as the given member, past the first-sign-in terms step. */
async function signedIn(member: { email: string; password: string }): Promise<TestClient> {
  const client = t.client();
  const response = await client.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: member.email,
    password: member.password,
  });
  expect(response.statusCode, response.body).toBe(200);
  if (response.json().pending?.terms) {
    const { version } = (await client.get('/api/v1/terms/current')).json() as { version: number };
    expect((await client.post('/api/v1/terms/accept', { version })).statusCode).toBe(204);
  }
  return client;
}

describe('adding members', () => {
  it('the owner adds an admin and a member; the list shows everyone in the order they joined', async () => {
    const response = await owner.post('/api/v1/members', ADMIN);
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const admin = response.json();
    expect(admin).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: ADMIN.email,
      displayName: ADMIN.displayName,
      role: 'admin',
      status: 'active',
      createdAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(admin.createdAt))).toBe(false);
    expect(response.body).not.toContain(ADMIN.password);
    expect(response.body).not.toMatch(/password|hash|argon2/i);

    const member = await add(owner, MEMBER);
    expect(member).toMatchObject({ email: MEMBER.email, role: 'member', status: 'active' });

    const list = await owner.get('/api/v1/members');
    expect(list.statusCode).toBe(200);
    const members = list.json().members as Array<Record<string, unknown>>;
    expect(members.map((m) => [m.email, m.role])).toEqual([
      [OWNER.email, 'owner'],
      [ADMIN.email, 'admin'],
      [MEMBER.email, 'member'],
    ]);
    expect(list.body).not.toMatch(/password|hash|argon2/i);
  });

  it('trims the display name', async () => {
    const member = await add(owner, { ...CAROL, displayName: '  Carol  ' });
    expect(member).toMatchObject({ email: CAROL.email, displayName: 'Carol' });
  });

  it('an admin can add a member', async () => {
    await add(owner, ADMIN);
    const admin = await signedIn(ADMIN);
    const member = await add(admin, MEMBER);
    expect(member.role).toBe('member');
  });

  it('the added member signs in with the initial password', async () => {
    await add(owner, MEMBER);
    const bob = await signedIn(MEMBER);
    const session = await bob.get('/api/v1/auth/session');
    expect(session.json()).toMatchObject({
      user: { email: MEMBER.email, role: 'member' },
      workspace: { slug: OWNER.slug },
    });

    const wrong = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: MEMBER.email, password: ADMIN.password });
    expect(wrong.statusCode).toBe(401);
  });

  it('records member.created with the actor, the new member and no password', async () => {
    const member = await add(owner, MEMBER);
    const ownerId = (await owner.get('/api/v1/auth/session')).json().user.id as string;
    const events = (await owner.get('/api/v1/activity')).json().events as Array<Record<string, unknown>>;
    const created = events.filter((e) => e.action === 'member.created' && e.targetId === member.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      actorId: ownerId,
      actorEmail: OWNER.email,
      targetType: 'user',
      targetId: member.id,
      details: { email: MEMBER.email, role: 'member' },
    });
    expect(JSON.stringify(events)).not.toContain(MEMBER.password);
  });

  it('records the admin, not the owner, as the actor when an admin adds someone', async () => {
    const adminView = await add(owner, ADMIN);
    const member = await add(await signedIn(ADMIN), MEMBER);
    const events = (await owner.get('/api/v1/activity')).json().events as Array<Record<string, unknown>>;
    expect(events.find((e) => e.action === 'member.created' && e.targetId === member.id)).toMatchObject({
      actorId: adminView.id,
      actorEmail: ADMIN.email,
    });
  });
});

describe('who may do what', () => {
  it('a plain member can list members but may not add them or read the activity log', async () => {
    await add(owner, MEMBER);
    const bob = await signedIn(MEMBER);

    const list = await bob.get('/api/v1/members');
    expect(list.statusCode).toBe(200);
    expect((list.json().members as Array<{ email: string }>).map((m) => m.email)).toEqual([OWNER.email, MEMBER.email]);

    for (const response of [await bob.post('/api/v1/members', CAROL), await bob.get('/api/v1/activity')]) {
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({
        type: '/api/problems/forbidden',
        status: 403,
        detail: expect.any(String),
      });
    }
    const after = (await owner.get('/api/v1/members')).json().members as Array<{ email: string }>;
    expect(after.map((m) => m.email)).not.toContain(CAROL.email);
  });

  it('without a session, listing and adding members answer 401', async () => {
    const visitor = t.client();
    for (const response of [await visitor.get('/api/v1/members'), await visitor.post('/api/v1/members', CAROL)]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ type: '/api/problems/unauthenticated', status: 401 });
    }
  });
});

describe('refusals', () => {
  it('refuses an email already in the workspace, whatever its case', async () => {
    await add(owner, { ...MEMBER, email: 'Bob@acme.test' });
    const response = await owner.post('/api/v1/members', { ...CAROL, email: 'bob@acme.test' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      type: '/api/problems/email-taken',
      status: 409,
      errors: [{ path: 'email', message: expect.any(String) }],
    });
    const emails = ((await owner.get('/api/v1/members')).json().members as Array<{ email: string }>).map(
      (m) => m.email,
    );
    expect(emails).toEqual([OWNER.email, 'Bob@acme.test']);
  });

  it('refuses the owner’s own email for a new member', async () => {
    const response = await owner.post('/api/v1/members', { ...CAROL, email: OWNER.email.toUpperCase() });
    expect(response.statusCode).toBe(409);
    expect(response.json().type).toBe('/api/problems/email-taken');
  });

  it.each([
    ['the email', 'carol.builder@acme.test'],
    ['the email in capitals', 'CAROL.BUILDER@ACME.TEST'],
    ['the email’s local part', 'carol.builder'],
  ])('refuses %s as the password and names the rule', async (_label, password) => {
    const response = await owner.post('/api/v1/members', { ...CAROL, email: 'carol.builder@acme.test', password });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ type: '/api/problems/weak-password', status: 422 });
    expect(response.json().errors).toContainEqual({
      path: 'password',
      message: 'Do not use your username or email address as the password.',
    });
  });

  it('refuses a short password with the minimum length', async () => {
    const response = await owner.post('/api/v1/members', { ...CAROL, password: 'too short' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ path: 'password', message: 'Use at least 12 characters.' });
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
    const member = await add(owner, MEMBER);
    const promote = t.database.db.updateTable('users').set({ role: 'owner' }).where('id', '=', member.id);
    await expect(promote.execute()).rejects.toMatchObject({ code: '23505' });
  });
});
