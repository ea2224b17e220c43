import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from '../helpers/partners.js';
import { ACCOUNT } from '../helpers/vault.js';

/**
 * **View details** of a partner member (SPEC §3): GET /partners/:partnerId/members/:userId/accounts lists
 * the accounts that person can use, with their role, and follows every share and removal at once.
 */

interface Person {
  client: TestClient;
  id: string;
  secret: string;
}

let t: TestApp;
let host: Person;
let guestAdmin: Person;
let guestUser: Person;
let outsider: Person;
let otherGuest: Person;
let partnerId: string;
let instagram: string;
let linkedin: string;
let privateAccount: string;

async function person(client: TestClient): Promise<Person> {
  const { secret } = await turnOnMfa(client);
  return { client, id: (await me(client)).user.id, secret };
}

async function createAccount(owner: Person, name: string): Promise<string> {
  const response = await owner.client.post('/api/v1/accounts', { ...ACCOUNT, name });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

async function accountsOf(viewer: Person, userId: string) {
  const response = await viewer.client.get(`/api/v1/partners/${partnerId}/members/${userId}/accounts`);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { accounts: Array<{ name: string; role: string }> }).accounts.map(
    (a) => `${a.name}: ${a.role}`,
  );
}

beforeAll(async () => {
  t = await createTestApp();
  const owner = await setUpWorkspace(t);
  await addMember(owner, 'hugo@acme.test');
  await addMember(owner, 'mia@acme.test');
  const hostClient = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
  const outsiderClient = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  for (const client of [hostClient, outsiderClient]) {
    expect((await client.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  }
  host = await person(hostClient);
  outsider = await person(outsiderClient);
  partnerId = (await createPartner(owner, 'Agency One', 'gail@agency.test', [host.id])).id;
  guestAdmin = await person(await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test')));
  const invited = await guestAdmin.client.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gus@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  guestUser = await person(await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test')));
  await createPartner(owner, 'Other Co', 'olga@other.test', [(await me(owner)).user.id]);
  otherGuest = await person(await completeFirstSignIn(t, await readInvitation(owner, 'olga@other.test')));

  instagram = await createAccount(host, 'Company Instagram');
  linkedin = await createAccount(host, 'Company LinkedIn');
  privateAccount = await createAccount(host, 'Payroll portal');
  await confirmIdentity(host.client, host.secret);
  const shared = await host.client.post(`/api/v1/partners/${partnerId}/accounts`, {
    accounts: [
      { accountId: instagram, role: 'manager' },
      { accountId: linkedin, role: 'collaborator' },
    ],
  });
  expect(shared.statusCode, shared.body).toBe(204);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('the accounts a partner member can use', () => {
  it('lists the partner share for the guest admin, onward shares for the guest user', async () => {
    expect(await accountsOf(host, guestAdmin.id)).toEqual([
      'Company Instagram: manager',
      'Company LinkedIn: collaborator',
    ]);
    expect(await accountsOf(host, guestUser.id)).toEqual([]);

    await confirmIdentity(guestAdmin.client, guestAdmin.secret);
    const passedOn = await guestAdmin.client.post(`/api/v1/accounts/${instagram}/onward-shares`, {
      userId: guestUser.id,
    });
    expect(passedOn.statusCode, passedOn.body).toBe(204);
    expect(await accountsOf(host, guestUser.id)).toEqual(['Company Instagram: collaborator']);
    // Guests of the partner see the same answer as its host admins.
    expect(await accountsOf(guestUser, guestAdmin.id)).toEqual([
      'Company Instagram: manager',
      'Company LinkedIn: collaborator',
    ]);
  });

  it('lists only what a host admin shares with this partner, not the rest of their vault', async () => {
    const list = await accountsOf(guestAdmin, host.id);
    expect(list).toEqual(['Company Instagram: owner', 'Company LinkedIn: owner']);
    expect(list.join()).not.toContain('Payroll portal');
    expect(privateAccount).toBeTruthy();
  });

  it('answers 404 to people outside the partner and for people who are not in it', async () => {
    for (const viewer of [outsider, otherGuest]) {
      const response = await viewer.client.get(`/api/v1/partners/${partnerId}/members/${guestAdmin.id}/accounts`);
      expect(response.statusCode, response.body).toBe(404);
    }
    const notInPartner = await host.client.get(`/api/v1/partners/${partnerId}/members/${outsider.id}/accounts`);
    expect(notInPartner.statusCode).toBe(404);
    expect(notInPartner.headers['content-type']).toContain('application/problem+json');
    const badId = await host.client.get(`/api/v1/partners/${partnerId}/members/not-a-uuid/accounts`);
    expect(badId.statusCode).toBe(400);
    expect(badId.headers['content-type']).toContain('application/problem+json');
  });

  it('asks for MFA first, like every account route', async () => {
    const owner = t.client();
    expect(
      (
        await owner.post('/api/v1/auth/sign-in', {
          workspace: 'acme',
          username: 'ada@acme.test',
          password: 'correct horse battery staple',
        })
      ).statusCode,
    ).toBe(200);
    const response = await owner.get(`/api/v1/partners/${partnerId}/members/${guestAdmin.id}/accounts`);
    expect(response.statusCode, response.body).toBe(403);
    expect(response.json().type).toMatch(/\/mfa-required$/);
  });

  it('drops an account removed from the partner, for the guest admin and the onward share alike', async () => {
    const removed = await host.client.request({
      method: 'DELETE',
      url: `/api/v1/partners/${partnerId}/accounts/${instagram}`,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await accountsOf(host, guestAdmin.id)).toEqual(['Company LinkedIn: collaborator']);
    expect(await accountsOf(host, guestUser.id)).toEqual([]);
    expect(await accountsOf(guestAdmin, host.id)).toEqual(['Company LinkedIn: owner']);
  });

  it('no longer answers for a removed guest: they left the partner', async () => {
    const removed = await host.client.request({
      method: 'DELETE',
      url: `/api/v1/partners/${partnerId}/guests/${guestAdmin.id}`,
    });
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    const response = await host.client.get(`/api/v1/partners/${partnerId}/members/${guestAdmin.id}/accounts`);
    expect(response.statusCode, response.body).toBe(404);
  });
});
