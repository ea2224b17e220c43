import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSummary } from '../../src/http/app.js';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import { createPartner, completeFirstSignIn, me, readInvitation } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';
import { testClock } from '../helpers/clock.js';

/**
 * Walks the application's route table: every route that declares it touches accounts, hands out
 * secrets or needs identity confirmation is called by sessions lacking MFA, a trusted device or a recent
 * identity confirmation, and each is refused by the server with the problem that names the missing step.
 */
let t: TestApp;
let owner: TestClient;
let ownerSecret: string;
let accountId: string;
let routes: RouteSummary[];

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  ownerSecret = (await turnOnMfa(owner)).secret;
  accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
  routes = t.app.routeTable.filter((route) => route.url.startsWith('/api/v1/'));
});
afterAll(async () => {
  await t.close();
});

const guarded = (predicate: (route: RouteSummary) => boolean) => routes.filter(predicate);
const touchesAccounts = (route: RouteSummary) =>
  route.config.access !== undefined || route.config.confirmIdentity === true;

/** The route's URL with every parameter filled: the account's id where it names one, a random id elsewhere. */
function concreteUrl(route: RouteSummary): string {
  return route.url.replace(/:(\w+)/g, (_, name: string) =>
    name === 'accountId' ? accountId : '00000000-0000-4000-8000-000000000000',
  );
}

async function call(client: TestClient, route: RouteSummary) {
  return client.request({
    method: route.method as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: concreteUrl(route),
    ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
  });
}

async function expectRefused(client: TestClient, selected: RouteSummary[], problem: string) {
  const answers = await Promise.all(
    selected.map(async (route) => {
      const response = await call(client, route);
      return `${route.method} ${route.url} -> ${response.statusCode} ${(response.json() as { type?: string }).type}`;
    }),
  );
  expect(answers).toEqual(selected.map((route) => `${route.method} ${route.url} -> 403 /api/problems/${problem}`));
}

describe('the route table', () => {
  it('marks every vault route, and the secret-bearing ones as needing a trusted session', () => {
    const vault = routes.filter((route) => route.url.startsWith('/api/v1/accounts'));
    expect(vault.length).toBeGreaterThanOrEqual(7);
    expect(vault.filter((route) => route.config.access === undefined)).toEqual([]);
    const secretBearing = routes.filter((route) => /totp-code|autofill|reveal/.test(route.url));
    expect(secretBearing.length).toBeGreaterThanOrEqual(3);
    expect(secretBearing.filter((route) => route.config.access !== 'secrets')).toEqual([]);
  });

  it('refuses a guest without MFA on every route that touches accounts', async () => {
    const guestEmail = 'gia@agency.test';
    await createPartner(owner, 'Agency', guestEmail, [(await me(owner)).user.id]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, guestEmail));
    await expectRefused(guest, guarded(touchesAccounts), 'mfa-required');
  });

  it('refuses a session with MFA but no trusted device on every secret-bearing route', async () => {
    await expectRefused(
      owner,
      guarded((route) => route.config.access === 'secrets'),
      'trusted-session-required',
    );
  });

  it('refuses a trusted session without a recent identity confirmation on every sensitive route', async () => {
    await trustDevice(owner, owner);
    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
      .execute();
    await expectRefused(
      owner,
      guarded((route) => route.config.confirmIdentity === true),
      'identity-confirmation-required',
    );
    // The same session, once confirmed, gets through: the refusals above were the gates, not the routes.
    await confirmIdentity(owner, ownerSecret);
    const revealed = await owner.post(`/api/v1/accounts/${accountId}/reveal`, { field: 'password' });
    expect(revealed.json()).toEqual({ value: ACCOUNT.password });
  });
});
