import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
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

/** Sharing through the API, as the web app's Users tab, Share accounts and Share Access use it. */
let t: TestApp;
let owner: TestClient;
let guestAdmin: TestClient;
let guestUser: TestClient;
let ids: { owner: string; guestAdmin: string; guestUser: string; partner: string; account: string };

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  const partner = await createPartner(owner, 'Agency Ltd', 'gail@agency.test', [ownerId]);
  guestAdmin = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  expect(
    (await guestAdmin.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gus@agency.test' })).statusCode,
  ).toBe(201);
  guestUser = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'));
  for (const client of [owner, guestAdmin, guestUser]) await turnOnMfa(client);
  const account = await owner.post('/api/v1/accounts', ACCOUNT);
  expect(account.statusCode, account.body).toBe(201);
  ids = {
    owner: ownerId,
    guestAdmin: (await me(guestAdmin)).user.id,
    guestUser: (await me(guestUser)).user.id,
    partner: partner.id,
    account: (account.json() as { id: string }).id,
  };
});
afterEach(async () => {
  await t.close();
});

const access = async () =>
  (
    (await owner.get(`/api/v1/accounts/${ids.account}/access`)).json() as {
      entries: Array<{ kind: string; email: string | null; role: string; sharedVia: string | null; ownGrant: boolean }>;
    }
  ).entries;
const roleOf = async (client: TestClient) =>
  ((await client.get('/api/v1/accounts')).json() as { accounts: Array<{ id: string; role: string }> }).accounts.find(
    (a) => a.id === ids.account,
  )?.role;

async function shareWithPartnerAsManager() {
  const shared = await owner.post(`/api/v1/partners/${ids.partner}/accounts`, {
    accounts: [{ accountId: ids.account, role: 'manager' }],
  });
  expect(shared.statusCode, shared.body).toBe(204);
}

describe('who has access (the Users tab)', () => {
  it('lists the partner share, the guest admin it reaches and onward shares, saying which grants are their own', async () => {
    await shareWithPartnerAsManager();
    expect(await roleOf(guestAdmin)).toBe('manager');
    expect(await roleOf(guestUser)).toBeUndefined();

    const passed = await guestAdmin.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestUser });
    expect(passed.statusCode, passed.body).toBe(204);
    expect(await roleOf(guestUser)).toBe('collaborator');

    expect(await access()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'member', email: 'ada@acme.test', role: 'owner', ownGrant: true }),
        expect.objectContaining({ kind: 'partner', role: 'manager', sharedVia: null, ownGrant: false }),
        expect.objectContaining({
          kind: 'guest',
          email: 'gail@agency.test',
          role: 'manager',
          sharedVia: 'Agency Ltd',
          ownGrant: false,
        }),
        expect.objectContaining({
          kind: 'guest',
          email: 'gus@agency.test',
          role: 'collaborator',
          sharedVia: 'Agency Ltd',
          ownGrant: true,
        }),
      ]),
    );
    // Only owners see who has access.
    expect((await guestAdmin.get(`/api/v1/accounts/${ids.account}/access`)).statusCode).toBe(403);
  });

  it("an owner's role change overrides the partner share for that guest; Remove from account needs an own grant", async () => {
    await shareWithPartnerAsManager();
    const removeAdmin = await owner.request({
      method: 'DELETE',
      url: `/api/v1/accounts/${ids.account}/access/${ids.guestAdmin}`,
    });
    expect(removeAdmin.statusCode).toBe(409);
    expect(removeAdmin.json().type).toBe('/api/problems/access-through-partner');

    const demoted = await owner.request({
      method: 'PUT',
      url: `/api/v1/accounts/${ids.account}/guests/${ids.guestAdmin}/role`,
      payload: { role: 'collaborator' },
    });
    expect(demoted.statusCode, demoted.body).toBe(204);
    expect(await roleOf(guestAdmin)).toBe('collaborator');
    // As a collaborator the guest admin can no longer pass the account on.
    const refused = await guestAdmin.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestUser });
    expect(refused.statusCode).toBe(403);
    // Now the grant is their own, so it can be removed; the partner share itself stays.
    const removed = await owner.request({
      method: 'DELETE',
      url: `/api/v1/accounts/${ids.account}/access/${ids.guestAdmin}`,
    });
    expect(removed.statusCode).toBe(204);
    expect(await roleOf(guestAdmin)).toBe('manager');
  });

  it('keeps the last owner, refuses guests as members, and ends onward shares with the partner share', async () => {
    const lastOwner = await owner.request({
      method: 'DELETE',
      url: `/api/v1/accounts/${ids.account}/access/${ids.owner}`,
    });
    expect(lastOwner.statusCode).toBe(409);
    expect(lastOwner.json().type).toBe('/api/problems/last-owner');
    const guestAsMember = await owner.post(`/api/v1/accounts/${ids.account}/members`, {
      userId: ids.guestUser,
      role: 'collaborator',
    });
    expect(guestAsMember.statusCode).toBe(403);
    const memberId = await addMember(owner, 'mia@acme.test');
    const co = await owner.post(`/api/v1/accounts/${ids.account}/members`, { userId: memberId, role: 'owner' });
    expect(co.statusCode, co.body).toBe(204);
    expect((await access()).filter((e) => e.role === 'owner')).toHaveLength(2);

    // A co-owner who is no host admin of the partner may still end the account's share with it.
    await shareWithPartnerAsManager();
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    const terms = (await mia.get('/api/v1/terms/current')).json() as { version: number };
    expect((await mia.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
    await turnOnMfa(mia);
    expect((await mia.get(`/api/v1/partners/${ids.partner}`)).statusCode).toBe(404);
    const byCoOwner = await mia.request({
      method: 'DELETE',
      url: `/api/v1/partners/${ids.partner}/accounts/${ids.account}`,
    });
    expect(byCoOwner.statusCode, byCoOwner.body).toBe(204);
    expect(await roleOf(guestAdmin)).toBeUndefined();

    await shareWithPartnerAsManager();
    await guestAdmin.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestUser });
    const unshared = await owner.request({
      method: 'DELETE',
      url: `/api/v1/partners/${ids.partner}/accounts/${ids.account}`,
    });
    expect(unshared.statusCode).toBe(204);
    expect(await roleOf(guestAdmin)).toBeUndefined();
    expect(await roleOf(guestUser)).toBeUndefined();
    const actions = ((await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{ action: string }>).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'account.shared_with_member',
        'account.shared_with_partner',
        'account.access_passed_on',
        'account.removed_from_partner',
      ]),
    );
  });
});

describe('what the account page offers (its permissions)', () => {
  type Flag = 'share' | 'shareOnward' | 'manageAccess' | 'viewActivity' | 'reviewAccess';
  const offered = async (client: TestClient): Promise<Record<Flag, boolean>> => {
    const response = await client.get(`/api/v1/accounts/${ids.account}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { permissions: Record<Flag, boolean> }).permissions;
  };

  it('offers each sharing action exactly to those the server lets do it', async () => {
    await shareWithPartnerAsManager();
    const passed = await guestAdmin.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestUser });
    expect(passed.statusCode, passed.body).toBe(204);
    const memberId = await addMember(owner, 'mia@acme.test');
    const invited = await guestAdmin.post(`/api/v1/partners/${ids.partner}/guests`, { email: 'gwen@agency.test' });
    expect(invited.statusCode, invited.body).toBe(201);
    // A guest admin's answer names no ids: find Gwen on the partner page.
    const page = (await guestAdmin.get(`/api/v1/partners/${ids.partner}`)).json() as {
      members: Array<{ userId: string; email: string }>;
    };
    const gwenId = page.members.find((m) => m.email === 'gwen@agency.test')!.userId;
    const attempts: Record<Flag, (client: TestClient) => Promise<{ statusCode: number; body: string }>> = {
      share: (c) => c.post(`/api/v1/accounts/${ids.account}/members`, { userId: memberId, role: 'collaborator' }),
      shareOnward: (c) => c.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: gwenId }),
      manageAccess: (c) => c.get(`/api/v1/accounts/${ids.account}/access`),
      viewActivity: (c) => c.get(`/api/v1/accounts/${ids.account}/activity`),
      reviewAccess: (c) => c.get(`/api/v1/accounts/${ids.account}/access-reviews`),
    };
    const people = { owner, guestAdmin, guestUser };
    for (const flag of Object.keys(attempts) as Flag[]) {
      // Refused attempts first: an allowed one may change what the next person could do.
      const offers = await Promise.all(
        Object.entries(people).map(async ([who, client]) => ({ who, client, offer: (await offered(client))[flag] })),
      );
      for (const { who, client, offer } of offers.sort((a, b) => Number(a.offer) - Number(b.offer))) {
        const response = await attempts[flag](client);
        if (offer) expect(response.statusCode, `${who} ${flag}: ${response.body}`).toBeLessThan(300);
        else expect(response.statusCode, `${who} ${flag}: ${response.body}`).toBe(403);
      }
    }
    expect(await offered(owner)).toMatchObject({
      share: true,
      shareOnward: false,
      manageAccess: true,
      viewActivity: true,
      reviewAccess: true,
    });
    expect(await offered(guestAdmin)).toMatchObject({
      share: false,
      shareOnward: true,
      manageAccess: false,
      viewActivity: false,
      reviewAccess: false,
    });
  });

  it('does not offer Share Access to a guest user an owner made manager: no partner share of theirs to pass on', async () => {
    await shareWithPartnerAsManager();
    await guestAdmin.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestUser });
    const promoted = await owner.request({
      method: 'PUT',
      url: `/api/v1/accounts/${ids.account}/guests/${ids.guestUser}/role`,
      payload: { role: 'manager' },
    });
    expect(promoted.statusCode, promoted.body).toBe(204);
    expect(await roleOf(guestUser)).toBe('manager');
    expect((await offered(guestUser)).shareOnward).toBe(false);
    const refused = await guestUser.post(`/api/v1/accounts/${ids.account}/onward-shares`, { userId: ids.guestAdmin });
    expect(refused.statusCode).toBe(403);
  });
});
