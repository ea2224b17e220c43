import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { setUpWorkspace } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testDatabaseKind } from '../helpers/database.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from '../helpers/partners.js';
import { isRequired, redisUrl } from '../helpers/requirements.js';
import { createTwoInstances, type TwoInstances } from '../helpers/two-instances.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * SPEC §10: "A revocation made through one instance holds on the very next request to any other."
 *
 * Two server instances on one database, as behind a load balancer: on PostgreSQL each has a connection
 * pool of its own (and the attempt counters live in Redis); on PGlite both share the one in-process
 * database, which still shows that nothing is cached in a process. In every case the person losing
 * access is signed in on instance B with everything in place — MFA on, a trusted device, the account
 * open and its TOTP code handed out — the revocation is made through instance A, and the person's very
 * next request to B is refused. No waiting, no retry.
 */

/** The attempt counters: in Redis on PostgreSQL when a test Redis is given (required in CI), else in the database. */
function attemptCounterEnv(): Record<string, string> {
  if (testDatabaseKind() !== 'postgres') return {};
  const url = redisUrl();
  if (url) return { GATEHOUSE_REDIS_URL: url };
  if (isRequired('redis')) throw new Error('Redis is required here but GATEHOUSE_TEST_REDIS_URL is not set.');
  return {};
}

const SESSION_COOKIE = 'gatehouse_session';

/** Someone signed in on instance B, ready to use the shared account. */
interface Person {
  id: string;
  email: string;
  /** Their browser, talking to instance B. */
  onB: TestClient;
  /** Their authenticator app's key. */
  secret: string;
  /** The trusted device of that browser. */
  deviceId: string;
}

interface World {
  two: TwoInstances;
  /** The workspace owner, host admin of the partner, in a browser talking to instance A. */
  ownerOnA: TestClient;
  /** The same browser session of the owner, routed to instance B this time. */
  ownerOnB: TestClient;
  partnerId: string;
  accountId: string;
  /** Guest admin of Agency One: manager of the account through the partner share. */
  gail: Person;
  /** Guest user of Agency One: collaborator through Gail's onward share (a grant of his own). */
  gus: Person;
  /** A member: collaborator through the owner's direct share. */
  mia: Person;
}

const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });

/** The account's current TOTP code: a secret, so it needs MFA, a trusted session and access to the account. */
const askForTotpCode = (world: World, client: TestClient) =>
  client.post(`/api/v1/accounts/${world.accountId}/totp-code`);
const openAccount = (world: World, client: TestClient) => client.get(`/api/v1/accounts/${world.accountId}`);

async function expectFullAccess(world: World, person: Person) {
  const account = await openAccount(world, person.onB);
  expect(account.statusCode, `${person.email} opens the account on B: ${account.body}`).toBe(200);
  const code = await askForTotpCode(world, person.onB);
  expect(code.statusCode, `${person.email} gets the TOTP code on B: ${code.body}`).toBe(200);
  expect(code.json().code).toMatch(/^\d{6}$/);
}

type Refusal =
  | { status: 401; type: 'unauthenticated' }
  | { status: 404; type: 'not-found' }
  | { status: 403; type: 'trusted-session-required' }
  | { status: 401; type: 'session-ended' };
const SIGNED_OUT: Refusal = { status: 401, type: 'unauthenticated' };
const ACCOUNT_GONE: Refusal = { status: 404, type: 'not-found' };
const DEVICE_UNTRUSTED: Refusal = { status: 403, type: 'trusted-session-required' };
/** A client app's session ends with its device, and says so (SPEC §7a). */
const CLIENT_APP_STOPPED: Refusal = { status: 401, type: 'session-ended' };

function expectRefused(response: LightMyRequestResponse, refusal: Refusal, who: string) {
  expect(response.statusCode, `${who}'s next request on B: ${response.body}`).toBe(refusal.status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(response.json().type).toBe(`/api/problems/${refusal.type}`);
}

/** Someone just signed in on B turns MFA on and trusts the browser (the code read by an admin, on A). */
async function readyOnB(client: TestClient, email: string, admin: TestClient): Promise<Person> {
  const { secret } = await turnOnMfa(client);
  const { deviceId } = await trustDevice(client, admin, { name: `${email} on B` });
  return { id: (await me(client)).user.id, email, onB: client, secret, deviceId };
}

async function buildWorld(): Promise<World> {
  const two = await createTwoInstances({ env: attemptCounterEnv() });
  try {
    return await populate(two);
  } catch (error) {
    await two.close();
    throw error;
  }
}

async function populate(two: TwoInstances): Promise<World> {
  const ownerOnA = await setUpWorkspace(two.first);
  const ownerId = (await me(ownerOnA)).user.id;
  // Turning MFA on counts as a confirmed identity: the owner's sensitive actions below need one.
  await turnOnMfa(ownerOnA);
  const ownerOnB = two.second.client();
  ownerOnB.setCookie(SESSION_COOKIE, ownerOnA.cookie(SESSION_COOKIE)!);

  const created = await ownerOnA.post('/api/v1/accounts', ACCOUNT);
  expect(created.statusCode, created.body).toBe(201);
  const accountId = created.json().id as string;

  await addMember(ownerOnA, 'mia@acme.test');
  const miaOnB = await signIn(two.second, 'mia@acme.test', MEMBER_PASSWORD);
  expect((await miaOnB.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  const mia = await readyOnB(miaOnB, 'mia@acme.test', ownerOnA);

  const partnerId = (await createPartner(ownerOnA, 'Agency One', 'gail@agency.test', [ownerId])).id;
  const gailOnB = await completeFirstSignIn(two.second, await readInvitation(ownerOnA, 'gail@agency.test'));
  const gail = await readyOnB(gailOnB, 'gail@agency.test', ownerOnA);
  const invited = await gail.onB.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gus@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  const gusOnB = await completeFirstSignIn(two.second, await readInvitation(ownerOnA, 'gus@agency.test'), {
    givenName: 'Gus',
    familyName: 'Guest',
  });
  const gus = await readyOnB(gusOnB, 'gus@agency.test', ownerOnA);

  const shares = [
    await ownerOnA.post(`/api/v1/partners/${partnerId}/accounts`, { accounts: [{ accountId, role: 'manager' }] }),
    await gail.onB.post(`/api/v1/accounts/${accountId}/onward-shares`, { userId: gus.id }),
    await ownerOnA.post(`/api/v1/accounts/${accountId}/members`, { userId: mia.id, role: 'collaborator' }),
  ];
  for (const share of shares) expect(share.statusCode, share.body).toBe(204);

  return { two, ownerOnA, ownerOnB, partnerId, accountId, gail, gus, mia };
}

type Who = 'gail' | 'gus' | 'mia';

interface Revocation {
  title: string;
  /** Whatever the case needs beyond the common world, on B (e.g. a client app). */
  prepare?: (world: World) => Promise<void>;
  /** Done through instance A (or, for a deactivation outside the product, straight in the database). */
  revoke: (world: World) => Promise<LightMyRequestResponse | void>;
  /** Who loses what: the refusal each one's very next request to B gets. */
  refused: Array<{
    who: Who;
    refusal: Refusal;
    /** That request: by default asking for the account's TOTP code (which worked just before). */
    request?: (world: World, client: TestClient) => Promise<LightMyRequestResponse>;
  }>;
  /** What else must (or must no longer) hold, checked on B after the refusals. */
  afterwards?: (world: World) => Promise<void>;
}

const liveDevicesOf = async (world: World, person: Person) => {
  const response = await world.ownerOnB.get(`/api/v1/users/${person.id}/devices`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().devices as Array<{ id: string }>;
};
const peopleWithAccess = async (world: World) => {
  const response = await world.ownerOnB.get(`/api/v1/accounts/${world.accountId}/access`);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().entries as Array<{ email: string | null }>).map((entry) => entry.email);
};
const expectSignedInButUntrusted = async (person: Person) => {
  const session = await person.onB.get('/api/v1/auth/session');
  expect(session.statusCode, session.body).toBe(200);
  expect(session.json().assurance).toMatchObject({ trusted: false, device: null });
};

const revocations: Record<string, Revocation[]> = {
  'removing a guest': [
    {
      title: 'a host admin removes a guest user on A: his session on B ends, his devices and his grant go',
      revoke: (w) => del(w.ownerOnA, `/api/v1/partners/${w.partnerId}/guests/${w.gus.id}`),
      refused: [{ who: 'gus', refusal: SIGNED_OUT }],
      afterwards: async (w) => {
        expect(await liveDevicesOf(w, w.gus)).toEqual([]);
        expect(await peopleWithAccess(w)).not.toContain('gus@agency.test');
        await expectFullAccess(w, w.gail);
      },
    },
    {
      title:
        'a host admin removes the guest admin on A: her session on B ends and the partner share no longer reaches her',
      revoke: (w) => del(w.ownerOnA, `/api/v1/partners/${w.partnerId}/guests/${w.gail.id}`),
      refused: [{ who: 'gail', refusal: SIGNED_OUT }],
      afterwards: async (w) => {
        expect(await liveDevicesOf(w, w.gail)).toEqual([]);
        expect(await peopleWithAccess(w)).not.toContain('gail@agency.test');
      },
    },
  ],
  'removing a partner': [
    {
      title: 'removing Agency One on A signs all its guests out on B; the member sharing the account keeps it',
      revoke: (w) => del(w.ownerOnA, `/api/v1/partners/${w.partnerId}`),
      refused: [
        { who: 'gail', refusal: SIGNED_OUT },
        { who: 'gus', refusal: SIGNED_OUT },
      ],
      afterwards: async (w) => {
        expect(await liveDevicesOf(w, w.gail)).toEqual([]);
        expect(await liveDevicesOf(w, w.gus)).toEqual([]);
        expect(await peopleWithAccess(w)).toEqual(expect.not.arrayContaining(['gail@agency.test', 'gus@agency.test']));
        await expectFullAccess(w, w.mia);
      },
    },
  ],
  'removing a share': [
    {
      title:
        'removing the account from the partner on A: the guest admin and the guest user it was passed on to lose it on B',
      revoke: (w) => del(w.ownerOnA, `/api/v1/partners/${w.partnerId}/accounts/${w.accountId}`),
      refused: [
        { who: 'gail', refusal: ACCOUNT_GONE },
        { who: 'gus', refusal: ACCOUNT_GONE },
      ],
      afterwards: async (w) => {
        // They lost the account, not their place: both are still signed in, and the account is gone for both.
        for (const guest of [w.gail, w.gus]) {
          expect((await guest.onB.get('/api/v1/auth/session')).statusCode).toBe(200);
          expectRefused(await openAccount(w, guest.onB), ACCOUNT_GONE, guest.email);
        }
        await expectFullAccess(w, w.mia);
      },
    },
    {
      title:
        "an owner's Remove from account of a guest's own grant on A: the guest user loses it on B, the guest admin keeps it",
      revoke: (w) => del(w.ownerOnA, `/api/v1/accounts/${w.accountId}/access/${w.gus.id}`),
      refused: [{ who: 'gus', refusal: ACCOUNT_GONE }],
      afterwards: async (w) => {
        expectRefused(await openAccount(w, w.gus.onB), ACCOUNT_GONE, w.gus.email);
        await expectFullAccess(w, w.gail);
      },
    },
    {
      title: "an owner's Remove from account of a member's share on A: the member loses it on B",
      revoke: (w) => del(w.ownerOnA, `/api/v1/accounts/${w.accountId}/access/${w.mia.id}`),
      refused: [{ who: 'mia', refusal: ACCOUNT_GONE }],
      afterwards: async (w) => {
        expectRefused(await openAccount(w, w.mia.onB), ACCOUNT_GONE, w.mia.email);
        await expectFullAccess(w, w.gus);
      },
    },
  ],
  'removing a device': [
    {
      title: 'the user removes her browser on B from another device (signed in on A): that browser gets no secret on B',
      revoke: async (w) => {
        const miaOnA = await signIn(w.two.first, w.mia.email, MEMBER_PASSWORD);
        await passSecondFactor(miaOnA, w.mia.secret);
        return del(miaOnA, `/api/v1/devices/${w.mia.deviceId}`);
      },
      refused: [{ who: 'mia', refusal: DEVICE_UNTRUSTED }],
      afterwards: async (w) => {
        // A removed device ends trust, not the session (docs/security.md: an untrusted session gets no secret).
        await expectSignedInButUntrusted(w.mia);
        expect((await openAccount(w, w.mia.onB)).statusCode).toBe(200);
      },
    },
    {
      title: "an admin removes a guest's browser on A: that browser gets no secret on B",
      revoke: (w) => del(w.ownerOnA, `/api/v1/users/${w.gus.id}/devices/${w.gus.deviceId}`),
      refused: [{ who: 'gus', refusal: DEVICE_UNTRUSTED }],
      afterwards: async (w) => {
        await expectSignedInButUntrusted(w.gus);
        expect(await liveDevicesOf(w, w.gus)).toEqual([]);
      },
    },
    {
      title: "an admin removes a member's browser extension on A: the extension is stopped on B, told why",
      prepare: async (w) => {
        // The extension: a client app of its own, connected on B, approved from Mia's web session there.
        const extension = await signIn(w.two.second, w.mia.email, MEMBER_PASSWORD);
        await passSecondFactor(extension, w.mia.secret);
        const { deviceId } = await trustDevice(extension, w.ownerOnA, { name: 'Mia extension', kind: 'extension' });
        const autofill = await extension.post(`/api/v1/accounts/${w.accountId}/autofill`);
        expect(autofill.statusCode, autofill.body).toBe(200);
        expect(autofill.json().password).toBe(ACCOUNT.password);
        w.mia = { ...w.mia, onB: extension, deviceId };
      },
      revoke: (w) => del(w.ownerOnA, `/api/v1/users/${w.mia.id}/devices/${w.mia.deviceId}`),
      refused: [
        {
          who: 'mia',
          refusal: CLIENT_APP_STOPPED,
          request: (w, client) => client.post(`/api/v1/accounts/${w.accountId}/autofill`),
        },
      ],
      afterwards: async (w) => {
        const session = await w.mia.onB.get('/api/v1/auth/session');
        expect(session.statusCode).toBe(401);
        expect(session.json()).toMatchObject({ reason: 'device_removed' });
      },
    },
  ],
  deactivation: [
    {
      title: 'a guest deactivated by removal on A is signed out on B and cannot sign in again there',
      // This time the guest admin removes her guest user, from her own browser session routed to A.
      revoke: (w) => {
        const gailOnA = w.two.first.client();
        gailOnA.setCookie(SESSION_COOKIE, w.gail.onB.cookie(SESSION_COOKIE)!);
        return del(gailOnA, `/api/v1/partners/${w.partnerId}/guests/${w.gus.id}`);
      },
      refused: [{ who: 'gus', refusal: SIGNED_OUT }],
      afterwards: async (w) => {
        const again = await w.two.second
          .client()
          .post('/api/v1/auth/sign-in', { workspace: 'acme', username: w.gus.email, password: GUEST_PASSWORD });
        expect(again.statusCode, again.body).toBe(401);
        // With his right password he is told his access ended, not that he mistyped (issue 14).
        expect(again.json().type).toBe('/api/problems/guest-access-ended');
      },
    },
    {
      title:
        'an admin deactivates a member on A (Deactivate): her session on B ends, her devices and grant go, she cannot sign in; Reactivate brings back sign-in only',
      revoke: (w) => w.ownerOnA.post(`/api/v1/members/${w.mia.id}/deactivate`, {}),
      refused: [{ who: 'mia', refusal: SIGNED_OUT }],
      afterwards: async (w) => {
        expect(await liveDevicesOf(w, w.mia)).toEqual([]);
        expect(await peopleWithAccess(w)).not.toContain(w.mia.email);
        const signIn = (client: TestClient) =>
          client.post('/api/v1/auth/sign-in', { workspace: 'acme', username: w.mia.email, password: MEMBER_PASSWORD });
        const refused = await signIn(w.two.second.client());
        expect(refused.statusCode, refused.body).toBe(401);
        // The others keep what they had.
        await expectFullAccess(w, w.gail);

        const reactivated = await w.ownerOnA.post(`/api/v1/members/${w.mia.id}/reactivate`);
        expect(reactivated.statusCode, reactivated.body).toBe(204);
        const back = w.two.second.client();
        expect((await signIn(back)).statusCode).toBe(200);
        // Signed in again (her MFA asks for the second factor), but with no grant and no trusted device.
        await passSecondFactor(back, w.mia.secret);
        expect((await back.get(`/api/v1/accounts/${w.accountId}`)).statusCode).toBe(404);
        expect(await peopleWithAccess(w)).not.toContain(w.mia.email);
        expect(await liveDevicesOf(w, w.mia)).toEqual([]);
      },
    },
    {
      title: "a deactivated member's connected browser extension is stopped on its next request to B",
      prepare: async (w) => {
        const extension = await signIn(w.two.second, w.mia.email, MEMBER_PASSWORD);
        await passSecondFactor(extension, w.mia.secret);
        const { deviceId } = await trustDevice(extension, w.ownerOnA, { name: 'Mia extension', kind: 'extension' });
        w.mia = { ...w.mia, onB: extension, deviceId };
      },
      revoke: (w) => w.ownerOnA.post(`/api/v1/members/${w.mia.id}/deactivate`, {}),
      refused: [
        {
          who: 'mia',
          refusal: CLIENT_APP_STOPPED,
          request: (w, client) => client.post(`/api/v1/accounts/${w.accountId}/autofill`),
        },
      ],
    },
    {
      title: "a member deactivated by a direct status change in the database is refused on B's next request",
      // No request and no cache to invalidate: only the session lookup reading the status on every request.
      revoke: async (w) => {
        await w.two.first.database.db
          .updateTable('users')
          .set({ status: 'deactivated' })
          .where('id', '=', w.mia.id)
          .execute();
      },
      refused: [{ who: 'mia', refusal: SIGNED_OUT }],
    },
  ],
  'resetting MFA': [
    {
      title: "an admin resets a member's MFA on A: every session of the member on B ends",
      revoke: (w) => w.ownerOnA.post(`/api/v1/members/${w.mia.id}/reset-mfa`),
      refused: [{ who: 'mia', refusal: SIGNED_OUT }],
      afterwards: async (w) => {
        // The other members' sessions stay.
        await expectFullAccess(w, w.gail);
      },
    },
  ],
};

const counters =
  testDatabaseKind() === 'postgres' && redisUrl() ? 'attempt counters in Redis' : 'attempt counters in the database';

describe(`a revocation made through instance A holds on the very next request to instance B (${testDatabaseKind()}, ${counters})`, () => {
  // Every case starts from the same world, built afresh: the revocations cannot be undone.
  let world: World | undefined;
  beforeEach(async () => {
    world = await buildWorld();
  });
  afterEach(async () => {
    await world?.two.close();
    world = undefined;
  });

  for (const [area, cases] of Object.entries(revocations)) {
    describe(area, () => {
      for (const revocation of cases) {
        it(revocation.title, async () => {
          const w = world!;
          await revocation.prepare?.(w);
          for (const { who, request } of revocation.refused) {
            if (request) expect((await request(w, w[who].onB)).statusCode).toBe(200);
            else await expectFullAccess(w, w[who]);
          }

          const revoked = await revocation.revoke(w);
          if (revoked) expect(revoked.statusCode, revoked.body).toBeLessThan(300);

          for (const { who, refusal, request = askForTotpCode } of revocation.refused) {
            expectRefused(await request(w, w[who].onB), refusal, w[who].email);
          }
          await revocation.afterwards?.(w);
        });
      }
    });
  }
});
