import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from '../helpers/partners.js';

/**
 * SPEC §2a, who acts on whom: admins act on members; only the owner acts on admins; nobody acts on the
 * owner, or on themselves, through the web app. Every lifecycle action is tried by every kind of person
 * on every kind of member, against the one server: allowed ⇒ it succeeds; refused ⇒ 403 or 404 and
 * nothing changed. The table is the specification; the test counts violations and expects none.
 */

type ActorName = 'owner' | 'admin' | 'member' | 'hostAdmin' | 'guestAdmin' | 'guestUser';
type TargetName = 'owner' | 'admin' | 'member' | 'self';
type Action = 'changeRole' | 'changeEmail' | 'deactivate' | 'reactivate' | 'resendInvitation' | 'revokeInvitation';

let t: TestApp;
let ownerClient: TestClient;
const actors = {} as Record<ActorName, { client: TestClient; id: string }>;
/** Targets other than the actor: a second admin and a second member, besides the owner. */
const targets = {} as Record<Exclude<TargetName, 'self'>, string>;

async function signedInMember(email: string, role: 'admin' | 'member') {
  const id = await addMember(ownerClient, email, role);
  const client = await signIn(t, email, MEMBER_PASSWORD);
  const { version } = (await client.get('/api/v1/terms/current')).json() as { version: number };
  expect((await client.post('/api/v1/terms/accept', { version })).statusCode).toBe(204);
  return { client, id };
}

beforeAll(async () => {
  t = await createTestApp();
  ownerClient = await setUpWorkspace(t);
  actors.owner = { client: ownerClient, id: (await me(ownerClient)).user.id };
  actors.admin = await signedInMember('alice@acme.test', 'admin');
  actors.member = await signedInMember('mia@acme.test', 'member');
  actors.hostAdmin = await signedInMember('hugo@acme.test', 'member');
  targets.owner = actors.owner.id;
  targets.admin = await addMember(ownerClient, 'ann@acme.test', 'admin');
  targets.member = await addMember(ownerClient, 'max@acme.test', 'member');
  const partner = await createPartner(ownerClient, 'Agency', 'gail@agency.test', [actors.hostAdmin.id]);
  const gail = await completeFirstSignIn(t, await readInvitation(ownerClient, 'gail@agency.test'));
  actors.guestAdmin = { client: gail, id: (await me(gail)).user.id };
  const invited = await gail.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gus@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  const gus = await completeFirstSignIn(t, await readInvitation(ownerClient, 'gus@agency.test'), {
    givenName: 'Gus',
    familyName: 'Guest',
  });
  actors.guestUser = { client: gus, id: (await me(gus)).user.id };
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The expected answer: the owner on admins and members; admins on members; nobody else, never on self. */
function allowed(actor: ActorName, target: TargetName, action: Action): boolean {
  if (target === 'self' || target === 'owner') return false;
  if (action === 'changeRole') return actor === 'owner';
  if (actor === 'owner') return true;
  if (actor === 'admin') return target === 'member';
  return false;
}

async function statusOf(id: string) {
  const row = await t.database.db
    .selectFrom('users')
    .select(['status', 'role'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return `${row.status}/${row.role}`;
}

/** Puts the target in the state the action starts from (by the owner, straight in the database). */
async function prepare(action: Action, id: string): Promise<void> {
  const status = action === 'reactivate' ? 'deactivated' : action.endsWith('Invitation') ? 'invited' : 'active';
  await t.database.db.updateTable('users').set({ status }).where('id', '=', id).execute();
  if (status === 'invited' && !(await hasPendingInvitation(id))) {
    await t.database.db
      .insertInto('invitations')
      .values({
        workspace_id: (await t.database.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()).id,
        partner_id: null,
        user_id: id,
        invited_by: actors.owner.id,
        role: 'member',
        link_token_hash: `test-${id}-${Date.now()}`,
        expires_at: new Date(Date.now() + 3600_000),
        updated_at: new Date(),
      })
      .execute();
  }
}

async function hasPendingInvitation(id: string): Promise<boolean> {
  const row = await t.database.db
    .selectFrom('invitations')
    .select('id')
    .where('user_id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

/** Back to an active member of their original role, so every case starts alike. */
async function restore(id: string, role: string): Promise<void> {
  await t.database.db
    .updateTable('invitations')
    .set({ state: 'revoked' })
    .where('user_id', '=', id)
    .where('state', '=', 'pending')
    .where('partner_id', 'is', null)
    .execute();
  await t.database.db
    .updateTable('users')
    .set({ status: 'active', role: role as 'admin' })
    .where('id', '=', id)
    .execute();
}

function act(action: Action, client: TestClient, id: string, currentRole: string): Promise<LightMyRequestResponse> {
  switch (action) {
    case 'changeRole':
      return client.request({
        method: 'PUT',
        url: `/api/v1/members/${id}/role`,
        payload: { role: currentRole === 'admin' ? 'member' : 'admin' },
      });
    case 'changeEmail':
      return client.post(`/api/v1/members/${id}/email`, {
        email: `new-${Date.now()}-${Math.random().toString(36).slice(2)}@acme.test`,
      });
    case 'deactivate':
      return client.post(`/api/v1/members/${id}/deactivate`, {});
    case 'reactivate':
      return client.post(`/api/v1/members/${id}/reactivate`);
    case 'resendInvitation':
      return client.post(`/api/v1/members/${id}/resend-invitation`);
    case 'revokeInvitation':
      return client.post(`/api/v1/members/${id}/revoke-invitation`);
  }
}

const ACTIONS: Action[] = [
  'changeRole',
  'changeEmail',
  'deactivate',
  'reactivate',
  'resendInvitation',
  'revokeInvitation',
];
const ACTORS: ActorName[] = ['owner', 'admin', 'member', 'hostAdmin', 'guestAdmin', 'guestUser'];
const TARGETS: TargetName[] = ['owner', 'admin', 'member', 'self'];

describe('who acts on whom (SPEC §2a)', () => {
  it('every actor × every member × every lifecycle action: 0 violations', async () => {
    const violations: string[] = [];
    let cases = 0;
    for (const action of ACTIONS) {
      for (const actorName of ACTORS) {
        for (const targetName of TARGETS) {
          // Acting on oneself: the actor's own state is not changed first (they could no longer ask).
          const id = targetName === 'self' ? actors[actorName].id : targets[targetName];
          const before = await t.database.db
            .selectFrom('users')
            .select(['role', 'kind'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          // Guests are not members: their own lifecycle is the partner's (SPEC §3).
          if (targetName === 'self' && before.kind === 'guest') continue;
          cases++;
          const movable = targetName !== 'self' && targetName !== 'owner';
          if (movable) await prepare(action, id);
          const state = await statusOf(id);
          const response = await act(action, actors[actorName].client, id, before.role);
          const expected = allowed(actorName, targetName, action);
          const label = `${actorName} ${action} ${targetName}: ${response.statusCode} ${response.body.slice(0, 120)}`;
          if (expected && response.statusCode >= 300) violations.push(`refused but allowed — ${label}`);
          if (!expected) {
            if (![403, 404].includes(response.statusCode)) violations.push(`not refused — ${label}`);
            else if ((await statusOf(id)) !== state) violations.push(`refused yet changed — ${label}`);
          }
          if (movable) await restore(id, before.role);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(cases).toBeGreaterThan(100);
  });

  it('the owner is untouchable by admins: nothing an admin tries on the owner changes anything', async () => {
    const admin = actors.admin.client;
    const owner = actors.owner.id;
    const tries = [
      await act('changeRole', admin, owner, 'owner'),
      await act('deactivate', admin, owner, 'owner'),
      await admin.post(`/api/v1/members/${owner}/reset-mfa`),
    ];
    for (const response of tries) expect(response.statusCode, response.body).toBe(403);
    expect(await statusOf(owner)).toBe('active/owner');
    // And the owner still works.
    expect((await actors.owner.client.get('/api/v1/members')).statusCode).toBe(200);
  });

  it('only the owner invites an admin; admins invite members; nobody else invites', async () => {
    const answers: Record<string, number> = {};
    for (const actorName of ACTORS) {
      for (const role of ['admin', 'member'] as const) {
        const email = `${actorName.toLowerCase()}-${role}@acme.test`;
        answers[`${actorName} invites ${role}`] = (
          await actors[actorName].client.post('/api/v1/members', { email, role })
        ).statusCode;
      }
    }
    expect(answers).toEqual({
      'owner invites admin': 201,
      'owner invites member': 201,
      'admin invites admin': 403,
      'admin invites member': 201,
      'member invites admin': 403,
      'member invites member': 403,
      'hostAdmin invites admin': 403,
      'hostAdmin invites member': 403,
      'guestAdmin invites admin': 403,
      'guestAdmin invites member': 403,
      'guestUser invites admin': 403,
      'guestUser invites member': 403,
    });
  });
});
