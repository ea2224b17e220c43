import { randomUUID } from 'node:crypto';
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
import { turnOnMfa } from '../helpers/mfa.js';
import { ACCOUNT } from '../helpers/vault.js';
import { testClock } from '../helpers/clock.js';

/** SPEC §3 "Who may do what", through the API, for every kind of person. */
type Role = 'workspaceAdmin' | 'hostAdmin' | 'guestAdmin' | 'guestUser' | 'plainMember' | 'otherPartnersGuest';
const ROLES: Role[] = ['workspaceAdmin', 'hostAdmin', 'guestAdmin', 'guestUser', 'plainMember', 'otherPartnersGuest'];

interface World {
  t: TestApp;
  owner: TestClient;
  clients: Record<Role, TestClient>;
  ids: Record<Role, string>;
  partnerId: string;
  /** Other Co, hosted by the workspace owner, with otherPartnersGuest as its guest admin. */
  otherPartner: { id: string; ownerId: string };
}

let world: World;

beforeAll(async () => {
  world = await buildWorld();
}, 120_000);
afterAll(async () => {
  await world.t.close();
});

async function buildWorld(): Promise<World> {
  // Every attempt invites a fresh guest: far more invitations than the hourly limits allow a person.
  const t = await createTestApp({ attempts: { policy: { invitationsPerInviter: 1000, invitationsPerPartner: 1000 } } });
  const owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  const adminId = await addMember(owner, 'wanda@acme.test', 'admin');
  const hostId = await addMember(owner, 'hugo@acme.test');
  const memberId = await addMember(owner, 'mia@acme.test');
  const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [hostId]);
  const guestAdmin = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  const invitedUser = await guestAdmin.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gus@agency.test' });
  expect(invitedUser.statusCode, invitedUser.body).toBe(201);
  const guestUser = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'));
  const otherPartner = await createPartner(owner, 'Other Co', 'olga@other.test', [ownerId]);
  const otherGuest = await completeFirstSignIn(t, await readInvitation(owner, 'olga@other.test'));
  const clients: Record<Role, TestClient> = {
    workspaceAdmin: await signIn(t, 'wanda@acme.test', MEMBER_PASSWORD),
    hostAdmin: await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD),
    guestAdmin,
    guestUser,
    plainMember: await signIn(t, 'mia@acme.test', MEMBER_PASSWORD),
    otherPartnersGuest: otherGuest,
  };
  const ids = {
    workspaceAdmin: adminId,
    hostAdmin: hostId,
    guestAdmin: (await me(guestAdmin)).user.id,
    guestUser: (await me(guestUser)).user.id,
    plainMember: memberId,
    otherPartnersGuest: (await me(otherGuest)).user.id,
  };
  // Members accept the terms once so that the gate does not hide the permission answers.
  for (const role of ['workspaceAdmin', 'hostAdmin', 'plainMember'] as const) {
    expect((await clients[role].post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  }
  // Everyone turns on MFA, so that the account rows below test the roles and not the MFA gate.
  for (const client of [owner, ...Object.values(clients)]) await turnOnMfa(client);
  return { t, owner, clients, ids, partnerId: partner.id, otherPartner: { id: otherPartner.id, ownerId } };
}

/** A fresh guest of Agency One invited by the owner, for an attempt that consumes its target. */
async function freshGuest(w: World, role: 'guest_user' | 'guest_admin' = 'guest_user') {
  const email = `g-${randomUUID().slice(0, 8)}@agency.test`;
  const response = await w.owner.post(`/api/v1/partners/${w.partnerId}/guests`, { email });
  expect(response.statusCode, response.body).toBe(201);
  const { invitation } = (response.json() as { results: Array<{ invitation: { id: string; userId: string } }> })
    .results[0]!;
  const member = { userId: invitation.userId, invitation };
  if (role === 'guest_admin') {
    expect(
      (
        await w.owner.request({
          method: 'PATCH',
          url: `/api/v1/partners/${w.partnerId}/guests/${member.userId}`,
          payload: { role },
        })
      ).statusCode,
    ).toBe(200);
  }
  return { userId: member.userId, invitationId: member.invitation.id };
}

/** The flags of GET /partners/:id `permissions`, which tell the web app what to offer. */
type PartnerPermission =
  | 'rename'
  | 'manageHostAdmins'
  | 'inviteGuests'
  | 'manageInvitations'
  | 'changeGuestRoles'
  | 'removeGuestAdmins'
  | 'removeGuestUsers'
  | 'remove'
  | 'shareAccounts'
  | 'removeAccounts'
  | 'setGuestAccessEnd';

interface Row {
  action: string;
  allowed: Role[];
  /** The permission flag that offers this action in the web app, when one does. */
  permission?: PartnerPermission;
  attempt: (w: World, role: Role, client: TestClient) => Promise<LightMyRequestResponse>;
}

const patch = (client: TestClient, url: string, payload: unknown) => client.request({ method: 'PATCH', url, payload });

/** An account created by `client` (who becomes its owner). */
async function accountOwnedBy(client: TestClient, name: string): Promise<string> {
  const response = await client.post('/api/v1/accounts', { ...ACCOUNT, name });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

/** Sharing is a sensitive action: everyone in the world counts as having confirmed their identity just now. */
async function identityConfirmedNow(w: World): Promise<void> {
  await w.t.database.db
    .updateTable('sessions')
    .set({ identity_confirmed_at: new Date(testClock.now()) })
    .execute();
}
const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });

const ROWS: Row[] = [
  {
    action: 'see the partner',
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin', 'guestUser'],
    attempt: (w, _r, c) => c.get(`/api/v1/partners/${w.partnerId}`),
  },
  {
    action: 'create a partner',
    allowed: ['workspaceAdmin'],
    attempt: (w, role, c) =>
      c.post('/api/v1/partners', {
        name: `New ${role}`,
        guestAdminEmail: `x-${role.toLowerCase()}@newco.test`,
        hostAdminIds: [w.ids.hostAdmin],
      }),
  },
  {
    action: 'rename the partner',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'rename',
    attempt: (w, role, c) => patch(c, `/api/v1/partners/${w.partnerId}`, { name: `Renamed by ${role}` }),
  },
  {
    action: 'assign a host admin',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'manageHostAdmins',
    attempt: async (w, _r, c) => {
      const userId = await addMember(w.owner, `m-${randomUUID().slice(0, 8)}@acme.test`);
      return c.post(`/api/v1/partners/${w.partnerId}/host-admins`, { userId });
    },
  },
  {
    action: 'remove a host admin',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'manageHostAdmins',
    attempt: async (w, _r, c) => {
      const userId = await addMember(w.owner, `m-${randomUUID().slice(0, 8)}@acme.test`);
      expect((await w.owner.post(`/api/v1/partners/${w.partnerId}/host-admins`, { userId })).statusCode).toBe(200);
      return del(c, `/api/v1/partners/${w.partnerId}/host-admins/${userId}`);
    },
  },
  {
    action: 'invite guest users',
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin'],
    permission: 'inviteGuests',
    attempt: (w, role, c) =>
      c.post(`/api/v1/partners/${w.partnerId}/guests`, { email: `invitee-${role.toLowerCase()}@agency.test` }),
  },
  {
    action: 'resend a pending invitation',
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin'],
    permission: 'manageInvitations',
    attempt: async (w, _r, c) => c.post(`/api/v1/invitations/${(await freshGuest(w)).invitationId}/resend`),
  },
  {
    action: 'revoke a pending invitation',
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin'],
    permission: 'manageInvitations',
    attempt: async (w, _r, c) => c.post(`/api/v1/invitations/${(await freshGuest(w)).invitationId}/revoke`),
  },
  {
    action: "change a guest's partner role",
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin'],
    permission: 'changeGuestRoles',
    attempt: async (w, _r, c) =>
      patch(c, `/api/v1/partners/${w.partnerId}/guests/${(await freshGuest(w)).userId}`, { role: 'guest_admin' }),
  },
  {
    action: 'remove a guest admin',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'removeGuestAdmins',
    attempt: async (w, _r, c) =>
      del(c, `/api/v1/partners/${w.partnerId}/guests/${(await freshGuest(w, 'guest_admin')).userId}`),
  },
  {
    action: 'remove a guest user',
    allowed: ['workspaceAdmin', 'hostAdmin', 'guestAdmin'],
    permission: 'removeGuestUsers',
    attempt: async (w, _r, c) => del(c, `/api/v1/partners/${w.partnerId}/guests/${(await freshGuest(w)).userId}`),
  },
  {
    action: 'share accounts they own with the partner',
    allowed: ['hostAdmin'],
    permission: 'shareAccounts',
    attempt: async (w, role, c) => {
      // Members share an account of their own; guests, who cannot own one, try with the host admin's.
      const canOwn = role === 'workspaceAdmin' || role === 'hostAdmin' || role === 'plainMember';
      const accountId = await accountOwnedBy(canOwn ? c : w.clients.hostAdmin, `Shared by ${role}`);
      await identityConfirmedNow(w);
      return c.post(`/api/v1/partners/${w.partnerId}/accounts`, { accounts: [{ accountId, role: 'manager' }] });
    },
  },
  {
    action: 'remove an account from the partner',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'removeAccounts',
    attempt: async (w, role, c) => {
      const accountId = await accountOwnedBy(w.clients.hostAdmin, `Removed by ${role}`);
      await identityConfirmedNow(w);
      const shared = await w.clients.hostAdmin.post(`/api/v1/partners/${w.partnerId}/accounts`, {
        accounts: [{ accountId, role: 'collaborator' }],
      });
      expect(shared.statusCode, shared.body).toBe(204);
      return del(c, `/api/v1/partners/${w.partnerId}/accounts/${accountId}`);
    },
  },
  {
    action: "set when a guest's access ends (Guest access ends on)",
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'setGuestAccessEnd',
    attempt: async (w, _r, c) =>
      c.request({
        method: 'PUT',
        url: `/api/v1/partners/${w.partnerId}/guests/${(await freshGuest(w)).userId}/access-end`,
        payload: { accessEndsAt: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString() },
      }),
  },
  {
    action: 'remove the partner',
    allowed: ['workspaceAdmin', 'hostAdmin'],
    permission: 'remove',
    attempt: async (w, role, c) => {
      // Removal is final, so people allowed to do it each remove a partner of their own hosted by the host admin.
      await identityConfirmedNow(w);
      if (role !== 'workspaceAdmin' && role !== 'hostAdmin') return del(c, `/api/v1/partners/${w.partnerId}`);
      const own = await createPartner(w.owner, `Doomed ${role}`, `d-${role.toLowerCase()}@doomed.test`, [
        w.ids.hostAdmin,
      ]);
      return del(c, `/api/v1/partners/${own.id}`);
    },
  },
];

/** The permission flag the partner page receives for this person, false when they cannot see the partner. */
async function offered(role: Role, permission: PartnerPermission): Promise<boolean> {
  const response = await world.clients[role].get(`/api/v1/partners/${world.partnerId}`);
  if (response.statusCode === 404) return false;
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { permissions: Record<PartnerPermission, boolean> }).permissions[permission];
}

// One world serves every row: each attempt that changes something works on a target of its own.
describe.each(ROWS)('SPEC §3: $action', (row) => {
  it('is allowed exactly for the roles in the table', async () => {
    // Refused attempts first: an allowed one may change what the next person could do.
    const ordered = [...ROLES].sort((a, b) => Number(row.allowed.includes(a)) - Number(row.allowed.includes(b)));
    const outcome: Record<string, number> = {};
    for (const role of ordered) {
      // What the partner page offers this person (nothing when they cannot see the partner) is what the
      // server allows them: offered actions succeed and hidden ones are refused.
      if (row.permission) {
        expect(await offered(role, row.permission), `${role} is offered ${row.permission}`).toBe(
          row.allowed.includes(role),
        );
      }
      const response = await row.attempt(world, role, world.clients[role]);
      outcome[role] = response.statusCode;
      if (row.allowed.includes(role)) {
        expect(response.statusCode, `${role}: ${response.body}`).toBeLessThan(300);
      } else {
        expect([403, 404], `${role}: ${response.body}`).toContain(response.statusCode);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    }
    // Someone outside the partner is never even told that it exists.
    if (!row.allowed.includes('plainMember') && row.action !== 'create a partner')
      expect(outcome.plainMember).toBe(404);
    if (!row.allowed.includes('otherPartnersGuest') && row.action !== 'create a partner')
      expect(outcome.otherPartnersGuest).toBe(404);
  }, 120_000);
});

it('every permission flag the partner page receives is tried against the server by a row above', async () => {
  const response = await world.clients.hostAdmin.get(`/api/v1/partners/${world.partnerId}`);
  const flags = Object.keys((response.json() as { permissions: object }).permissions);
  const tried = new Set(ROWS.flatMap((row) => (row.permission ? [row.permission] : [])));
  expect(flags.sort()).toEqual([...tried].sort());
});

it("a member's page offers Reset MFA exactly to those the server lets reset it", async () => {
  const { clients, ids, partnerId, otherPartner } = world;
  const pages = [
    ...(['hostAdmin', 'guestAdmin', 'guestUser'] as const).map((member) => ({ partnerId, userId: ids[member] })),
    // The owner hosts Other Co: nobody resets the owner's MFA, whoever sees the partner.
    { partnerId: otherPartner.id, userId: otherPartner.ownerId },
    { partnerId: otherPartner.id, userId: ids.otherPartnersGuest },
  ];
  const answers = new Set<boolean>();
  for (const role of ROLES) {
    for (const page of pages) {
      const detail = await clients[role].get(`/api/v1/partners/${page.partnerId}/members/${page.userId}`);
      if (detail.statusCode === 404) continue; // they cannot see the partner, so there is no page
      expect(detail.statusCode, detail.body).toBe(200);
      const offered = (detail.json() as { permissions: { resetMfa: boolean } }).permissions.resetMfa;
      answers.add(offered);
      // Reading the person's second factors asks the same rule as resetting them, and changes nothing.
      const factors = await clients[role].get(`/api/v1/members/${page.userId}/mfa`);
      const label = `${role} on ${page.userId}: offered ${offered}, server ${factors.statusCode}`;
      if (offered) expect(factors.statusCode, label).toBe(200);
      else expect([403, 404], label).toContain(factors.statusCode);
    }
  }
  expect([...answers].sort()).toEqual([false, true]);
});

describe('the finer points of the table', () => {
  // A world of its own: these tests change the guest admin and rely on a single host admin.
  let shared: World;
  beforeAll(async () => {
    shared = world;
    world = await buildWorld();
  }, 120_000);
  afterAll(async () => {
    await world.t.close();
    world = shared;
  });

  it('what the partner page offers matches what the server allows', async () => {
    const seen = async (role: Role) =>
      (await world.clients[role].get(`/api/v1/partners/${world.partnerId}`)).json().permissions;
    expect(await seen('hostAdmin')).toMatchObject({
      rename: true,
      inviteGuests: true,
      removeGuestAdmins: true,
      remove: true,
    });
    expect(await seen('guestAdmin')).toMatchObject({
      rename: false,
      inviteGuests: true,
      removeGuestAdmins: false,
      removeGuestUsers: true,
      remove: false,
    });
    expect(await seen('guestUser')).toEqual({
      rename: false,
      manageHostAdmins: false,
      inviteGuests: false,
      manageInvitations: false,
      changeGuestRoles: false,
      removeGuestAdmins: false,
      removeGuestUsers: false,
      remove: false,
      shareAccounts: false,
      removeAccounts: false,
      setGuestAccessEnd: false,
    });
  });

  it('a guest admin may demote themself, but never remove themself', async () => {
    const { clients, ids, partnerId } = world;
    const removeSelf = await del(clients.guestAdmin, `/api/v1/partners/${partnerId}/guests/${ids.guestAdmin}`);
    expect(removeSelf.statusCode).toBe(403);
    expect(removeSelf.json().detail).toBe('You cannot remove yourself; ask a host admin.');
    const demote = await patch(clients.guestAdmin, `/api/v1/partners/${partnerId}/guests/${ids.guestAdmin}`, {
      role: 'guest_user',
    });
    expect(demote.statusCode).toBe(200);
    expect(demote.json().myRole).toBe('guest_user');
    const inviteAfter = await clients.guestAdmin.post(`/api/v1/partners/${partnerId}/guests`, {
      email: 'late@agency.test',
    });
    expect(inviteAfter.statusCode).toBe(403);
  }, 60_000);

  it('the last host admin cannot be removed', async () => {
    const response = await del(world.owner, `/api/v1/partners/${world.partnerId}/host-admins/${world.ids.hostAdmin}`);
    expect(response.statusCode).toBe(409);
    expect(response.json().type).toBe('/api/problems/last-host-admin');
  });
});
