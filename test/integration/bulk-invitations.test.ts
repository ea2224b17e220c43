import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, completeFirstSignIn, createPartner, me, readInvitation, signIn } from '../helpers/partners.js';
import { hashPassword } from '../../src/crypto/passwords.js';
import { addMasterKey, WorkspaceKeyring } from '../../src/services/keyring.js';
import { verifyStoredPassword } from '../../src/services/temporary-passwords.js';

/**
 * Issues 14 and 15: **Invite guest users** with several addresses in one request. Each address is
 * invited or refused on its own, with the reason; the hourly allowances, the domain rule and the
 * withheld invitations hold per address; the temporary password is kept as a keyed hash.
 */

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

interface Result {
  email: string;
  status: 'invited' | 'refused';
  invitation?: { id: string; userId: string; role: string; state: string; expiresAt: string };
  problem?: { type: string; status: number; detail: string };
}

async function world(policy?: { invitationsPerInviter?: number; invitationsPerPartner?: number }) {
  t = await createTestApp(policy ? { attempts: { policy } } : {});
  const owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  const agency = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  return { owner, ownerId, agency };
}

const invite = async (client: TestClient, partnerId: string, emails: string[]) => {
  const response = await client.post(`/api/v1/partners/${partnerId}/guests`, { emails });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { results: Result[] }).results;
};

const summary = (results: Result[]) =>
  results.map((r) => [r.email, r.status, r.problem?.type.replace('/api/problems/', '') ?? null]);

it('invites each good address and refuses each other one with its reason, in the order given', async () => {
  const { owner, agency } = await world();
  const results = await invite(owner, agency.id, [
    'nina@agency.test',
    'not an address',
    'NINA@agency.test',
    'bob@acme.test',
    'gail@agency.test',
    ' omar@agency.test ',
  ]);
  expect(summary(results)).toEqual([
    ['nina@agency.test', 'invited', null],
    ['not an address', 'refused', 'validation-failed'],
    ['NINA@agency.test', 'refused', 'validation-failed'],
    ['bob@acme.test', 'refused', 'guest-domain-not-allowed'],
    ['gail@agency.test', 'refused', 'guest-exists'],
    ['omar@agency.test', 'invited', null],
  ]);
  expect(results[1]!.problem?.detail).toBe('Enter a valid email address.');
  expect(results[2]!.problem?.detail).toBe('This address appears earlier in the list.');
  expect(results[4]!.problem?.status).toBe(409);

  // A host admin is given each invitation created; the partner page lists the same people.
  const page = (await owner.get(`/api/v1/partners/${agency.id}`)).json() as {
    members: Array<{ userId: string; email: string; invitation: { id: string; state: string } | null }>;
  };
  for (const result of [results[0]!, results[5]!]) {
    expect(result.invitation).toMatchObject({ role: 'guest_user', state: 'pending' });
    const listed = page.members.find((m) => m.email === result.email);
    expect(listed).toMatchObject({ userId: result.invitation!.userId, invitation: { id: result.invitation!.id } });
  }
  expect(page.members.map((m) => m.email).sort()).toEqual([
    'ada@acme.test',
    'gail@agency.test',
    'nina@agency.test',
    'omar@agency.test',
  ]);

  // Each invited person gets their own mail and signs in with its temporary password.
  const nina = await readInvitation(owner, 'nina@agency.test');
  const omar = await readInvitation(owner, 'omar@agency.test');
  expect(nina.temporaryPassword).not.toBe(omar.temporaryPassword);
  const wrong = await t.client().post('/api/v1/auth/sign-in', {
    workspace: 'acme',
    username: 'nina@agency.test',
    password: omar.temporaryPassword,
  });
  expect(wrong.statusCode).toBe(401);
  await completeFirstSignIn(t, nina);
});

it('answers one address as before: 201 with the invitation, or the problem with its own status', async () => {
  const { owner, agency } = await world();
  const created = await owner.post(`/api/v1/partners/${agency.id}/guests`, { email: 'nina@agency.test' });
  expect(created.statusCode, created.body).toBe(201);
  expect(summary((created.json() as { results: Result[] }).results)).toEqual([['nina@agency.test', 'invited', null]]);
  const again = await owner.post(`/api/v1/partners/${agency.id}/guests`, { email: 'nina@agency.test' });
  expect(again.statusCode).toBe(409);
  expect(again.json().type).toBe('/api/problems/guest-exists');
  const both = await owner.post(`/api/v1/partners/${agency.id}/guests`, {
    email: 'a@agency.test',
    emails: ['b@agency.test'],
  });
  expect(both.statusCode).toBe(400);
  const none = await owner.post(`/api/v1/partners/${agency.id}/guests`, { emails: [] });
  expect(none.statusCode).toBe(400);
});

it("spends the inviter's hourly allowance address by address; refused addresses give theirs back", async () => {
  // Adding the partner took one of the four.
  const { owner, agency } = await world({ invitationsPerInviter: 4 });
  const results = await invite(owner, agency.id, [
    'bob@acme.test',
    'p1@agency.test',
    'p2@agency.test',
    'p3@agency.test',
    'p4@agency.test',
    'p5@agency.test',
  ]);
  expect(summary(results)).toEqual([
    ['bob@acme.test', 'refused', 'guest-domain-not-allowed'],
    ['p1@agency.test', 'invited', null],
    ['p2@agency.test', 'invited', null],
    ['p3@agency.test', 'invited', null],
    ['p4@agency.test', 'refused', 'invitations-rate-limited'],
    ['p5@agency.test', 'refused', 'invitations-rate-limited'],
  ]);
  expect(results[4]!.problem?.status).toBe(429);
  const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ to: string }>;
  expect(outbox.some((m) => m.to === 'p4@agency.test')).toBe(false);
});

it('answers a guest admin alike for an invitation made and one withheld, and names no ids', async () => {
  const { owner, agency } = await world();
  await addMember(owner, 'carla@freelance.test');
  const gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  const results = await invite(gail, agency.id, ['carla@freelance.test', 'gus@agency.test', 'bob@acme.test']);
  expect(results[0]).toEqual({ email: 'carla@freelance.test', status: 'invited' });
  expect(results[1]).toEqual({ email: 'gus@agency.test', status: 'invited' });
  expect(results[2]).toMatchObject({ status: 'refused', problem: { type: '/api/problems/guest-domain-not-allowed' } });
  const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{
    to: string;
    subject: string;
    text: string;
  }>;
  expect(outbox.filter((m) => m.to === 'carla@freelance.test' && m.text.includes('Temporary password:'))).toEqual([]);
  expect(outbox.some((m) => m.subject === 'A guest invitation was not sent')).toBe(true);
  expect(outbox.some((m) => m.to === 'gus@agency.test')).toBe(true);

  // A guest user may not invite at all: refused for the whole request.
  const gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'));
  const refused = await gus.post(`/api/v1/partners/${agency.id}/guests`, { emails: ['zoe@agency.test'] });
  expect(refused.statusCode).toBe(403);
});

it('keeps the temporary password as a keyed hash that outlives master-key rotation; argon2 ones still sign in', async () => {
  const { owner, agency } = await world();
  await invite(owner, agency.id, ['nina@agency.test', 'omar@agency.test']);
  const nina = await readInvitation(owner, 'nina@agency.test');
  const rows = await t.database.db
    .selectFrom('invitations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.id', 'i.workspace_id', 'i.temp_password_hash', 'u.email'])
    .where('u.email', 'in', ['nina@agency.test', 'omar@agency.test'])
    .execute();
  const ninaRow = rows.find((r) => r.email === 'nina@agency.test')!;
  expect(ninaRow.temp_password_hash).toMatch(/^hmac-sha256\$[0-9a-f-]{36}\$[A-Za-z0-9_-]{43}$/);
  expect(ninaRow.temp_password_hash).not.toContain(nina.temporaryPassword);

  // `gatehouse keys rotate` wraps the same data keys under a new master key: the hash still checks.
  const newKey = randomBytes(32);
  await t.database.db.transaction().execute((tx) => addMasterKey(tx, t.app.masterKey, newKey));
  const rotated = new WorkspaceKeyring(newKey);
  const check = (password: string) =>
    verifyStoredPassword(t.database.db, rotated, ninaRow.workspace_id, ninaRow.temp_password_hash!, password, {
      equalTiming: false,
    });
  expect(await check(nina.temporaryPassword)).toBe(true);
  expect(await check(`${nina.temporaryPassword}x`)).toBe(false);

  // An invitation made before this change holds an argon2id hash: it still signs in.
  const omarRow = rows.find((r) => r.email === 'omar@agency.test')!;
  await t.database.db
    .updateTable('invitations')
    .set({ temp_password_hash: await hashPassword('Older-Temporary-Password-42') })
    .where('id', '=', omarRow.id)
    .execute();
  await signIn(t, 'omar@agency.test', 'Older-Temporary-Password-42');
  await signIn(t, 'nina@agency.test', nina.temporaryPassword);
});

it('the same addresses sent twice at once: each person is invited once, the other answer says they are taken', async () => {
  const { owner, agency } = await world();
  const emails = ['p1@agency.test', 'p2@agency.test', 'p3@agency.test', 'p4@agency.test'];
  const [first, second] = await Promise.all([
    invite(owner, agency.id, emails),
    invite(owner, agency.id, [...emails].reverse()),
  ]);
  for (const email of emails) {
    const outcomes = [first!, second!].map((results) => results.find((r) => r.email === email)!);
    expect(outcomes.map((o) => o.status).sort(), email).toEqual(['invited', 'refused']);
    expect(outcomes.find((o) => o.status === 'refused')!.problem?.type).toBe('/api/problems/guest-exists');
  }
  const invitations = await t.database.db
    .selectFrom('invitations')
    .select(({ fn }) => fn.countAll<string>().as('n'))
    .where('partner_id', '=', agency.id)
    .executeTakeFirstOrThrow();
  // Gail's and one for each address.
  expect(Number(invitations.n)).toBe(1 + emails.length);
});
