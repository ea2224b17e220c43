import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
} from '../helpers/partners.js';

/**
 * **Transfer workspace ownership** (SPEC §2a, issue 11): the owner only, identity confirmed, to an active
 * admin; afterwards the workspace still has exactly one owner and the old owner is an admin like any other.
 */

let t: TestApp;
let owner: TestClient;
let ownerId: string;
let ownerSecret: string;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  ownerId = (await me(owner)).user.id;
  ownerSecret = (await turnOnMfa(owner)).secret;
});
afterEach(async () => {
  await t.close();
});

const transfer = (client: TestClient, userId: string) =>
  client.post('/api/v1/workspace/transfer-ownership', { userId });

/** Signed in with MFA on and identity just confirmed: nothing but the rule itself stands in the way. */
async function confirmedClient(username: string): Promise<TestClient> {
  const client = t.client();
  const response = await client.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username,
    password: MEMBER_PASSWORD,
  });
  expect(response.statusCode, response.body).toBe(200);
  if (response.json().pending?.terms) {
    const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
    expect((await client.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
  }
  const { secret } = await turnOnMfa(client);
  await confirmIdentity(client, secret);
  return client;
}

async function roles(): Promise<Record<string, string>> {
  const rows = await t.database.db.selectFrom('users').select(['email', 'role']).where('kind', '=', 'member').execute();
  return Object.fromEntries(rows.map((row) => [row.email, row.role]));
}

describe('who may transfer', () => {
  it('not an admin, not a member: only the owner', async () => {
    const adminId = await addMember(owner, 'adam@acme.test', 'admin');
    await addMember(owner, 'alba@acme.test', 'admin');
    await addMember(owner, 'mia@acme.test');
    const admin = await confirmedClient('alba@acme.test');
    const member = await confirmedClient('mia@acme.test');

    for (const client of [admin, member]) {
      const refused = await transfer(client, adminId);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        type: '/api/problems/forbidden',
        detail: 'Only the workspace owner can transfer the ownership of the workspace.',
      });
    }
    expect(await roles()).toMatchObject({ [OWNER.email]: 'owner', 'adam@acme.test': 'admin' });
  });

  it('a guest is refused too, and cannot be the new owner', async () => {
    await createPartner(owner, 'Agency', 'gia@agency.test', [ownerId]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gia@agency.test'));
    const guestId = (await me(guest)).user.id;
    const { secret } = await turnOnMfa(guest);
    await confirmIdentity(guest, secret);
    expect((await transfer(guest, ownerId)).statusCode).toBe(403);

    await confirmIdentity(owner, ownerSecret);
    const toGuest = await transfer(owner, guestId);
    expect(toGuest.statusCode).toBe(404);
    expect(toGuest.headers['content-type']).toContain('application/problem+json');
  });

  it('needs MFA and an identity confirmation within the last 5 minutes', async () => {
    const adminId = await addMember(owner, 'adam@acme.test', 'admin');
    // Confirmed 6 minutes ago: too old.
    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60 * 1000) })
      .where('user_id', '=', ownerId)
      .execute();
    const stale = await transfer(owner, adminId);
    expect(stale.statusCode).toBe(403);
    expect(stale.json().type).toBe('/api/problems/identity-confirmation-required');
    expect(await roles()).toMatchObject({ [OWNER.email]: 'owner', 'adam@acme.test': 'admin' });

    // An owner without MFA cannot confirm their identity at all: MFA first.
    await t.database.db.deleteFrom('mfa_factors').where('user_id', '=', ownerId).execute();
    const noMfa = await transfer(owner, adminId);
    expect(noMfa.statusCode).toBe(403);
    expect(noMfa.json().type).toBe('/api/problems/mfa-required');
  });
});

describe('the new owner', () => {
  it('must be an active admin', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    const deactivatedId = await addMember(owner, 'dora@acme.test', 'admin');
    await t.database.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', deactivatedId).execute();
    await confirmIdentity(owner, ownerSecret);

    const answers: Record<string, string> = {};
    for (const [who, userId] of [
      ['member', memberId],
      ['deactivated admin', deactivatedId],
      ['self', ownerId],
      ['nobody', '00000000-0000-4000-8000-000000000000'],
    ] as const) {
      const response = await transfer(owner, userId);
      answers[who] = `${response.statusCode} ${response.json().type}`;
    }
    expect(answers).toEqual({
      member: '422 /api/problems/new-owner-not-active-admin',
      'deactivated admin': '422 /api/problems/new-owner-not-active-admin',
      self: '422 /api/problems/new-owner-not-active-admin',
      nobody: '404 /api/problems/not-found',
    });
    const member = await transfer(owner, memberId);
    expect(member.json()).toMatchObject({
      detail: 'mia Member is not an admin. Make them an admin first: ownership goes to an active admin.',
      errors: [{ path: 'userId', message: 'Choose an active admin.' }],
    });
    expect((await owner.post('/api/v1/workspace/transfer-ownership', { userId: 'nope' })).statusCode).toBe(400);
    expect(Object.values(await roles()).filter((role) => role === 'owner')).toHaveLength(1);
  });
});

describe('transferring', () => {
  it('swaps the roles in one step, leaves exactly one owner, logs it and tells both', async () => {
    const adminId = await addMember(owner, 'adam@acme.test', 'admin');
    await addMember(owner, 'alba@acme.test', 'admin');
    await confirmIdentity(owner, ownerSecret);

    const done = await transfer(owner, adminId);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      previousOwner: { id: ownerId, email: OWNER.email, role: 'admin' },
      newOwner: { id: adminId, email: 'adam@acme.test', role: 'owner' },
    });
    expect(await roles()).toEqual({
      [OWNER.email]: 'admin',
      'adam@acme.test': 'owner',
      'alba@acme.test': 'admin',
    });
    // The signed-in former owner's session now carries the admin role.
    expect((await owner.get('/api/v1/auth/session')).json().user).toMatchObject({ id: ownerId, role: 'admin' });

    const events = (await owner.get('/api/v1/activity')).json().events as Array<{
      action: string;
      actorId: string | null;
      targetId: string | null;
      details: Record<string, unknown>;
    }>;
    expect(events.find((e) => e.action === 'workspace.ownership_transferred')).toMatchObject({
      actorId: ownerId,
      targetId: adminId,
      details: { from: OWNER.email, to: 'adam@acme.test' },
    });
    const mails = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{
      to: string;
      subject: string;
      text: string;
    }>;
    const told = mails.filter((m) => m.subject === 'The ownership of your Gatehouse workspace was transferred');
    expect(told.map((m) => m.to).sort()).toEqual([OWNER.email, 'adam@acme.test'].sort());
    expect(told.find((m) => m.to === 'adam@acme.test')?.text).toContain('You are now its owner');
    expect(told.find((m) => m.to === OWNER.email)?.text).toContain('you are now an admin');
  });

  it('the old owner can no longer act on admins, nor transfer again; the new owner can', async () => {
    const adminId = await addMember(owner, 'adam@acme.test', 'admin');
    const otherAdminId = await addMember(owner, 'alba@acme.test', 'admin');
    await confirmIdentity(owner, ownerSecret);
    expect((await transfer(owner, adminId)).statusCode).toBe(200);

    await confirmIdentity(owner, ownerSecret);
    const again = await transfer(owner, otherAdminId);
    expect(again.statusCode).toBe(403);
    const onAdmin = await owner.post(`/api/v1/members/${otherAdminId}/email`, { email: 'alba.new@acme.test' });
    expect(onAdmin.statusCode).toBe(403);
    expect(onAdmin.json().detail).toBe("Only the workspace owner can change an admin's email address.");
    const onOwner = await owner.post(`/api/v1/members/${adminId}/email`, { email: 'adam.new@acme.test' });
    expect(onOwner.statusCode).toBe(403);

    const newOwner = await confirmedClient('adam@acme.test');
    const back = await transfer(newOwner, ownerId);
    expect(back.statusCode, back.body).toBe(200);
    expect(await roles()).toEqual({
      [OWNER.email]: 'owner',
      'adam@acme.test': 'admin',
      'alba@acme.test': 'admin',
    });
  });

  it('two transfers at once: one wins, the other is refused, still one owner', async () => {
    const adamId = await addMember(owner, 'adam@acme.test', 'admin');
    const albaId = await addMember(owner, 'alba@acme.test', 'admin');
    await confirmIdentity(owner, ownerSecret);
    const answers = await Promise.all([transfer(owner, adamId), transfer(owner, albaId)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 403]);
    expect(Object.values(await roles()).filter((role) => role === 'owner')).toHaveLength(1);
  });
});
