import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { RouteSummary } from '../../src/http/app.js';
import { createWorkspace, prepareOwnerPassword, type CreateWorkspaceInput } from '../../src/services/workspaces.js';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, me, readInvitation } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * Deny by default, proved on the application's own route table, so a route is covered the day it is
 * added: every /api/v1 route that does not declare `public: true` answers 401 to a request without a
 * session (before its input is validated), and every route naming a partner, account, user, device or
 * invitation answers 404 to a signed-in outsider who has passed every gate.
 */

/** The routes anyone may call, and why. A route added to this list needs a reason a reviewer agrees with. */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /api/v1/auth/csrf': 'the CSRF token must exist before the sign-in form can be posted',
  'POST /api/v1/auth/sign-in': 'signing in is how a session starts',
  'GET /api/v1/setup': 'the first-run page asks whether a workspace exists yet',
  'POST /api/v1/setup': 'first-run set-up creates the first workspace and its owner (refused once one exists)',
  'GET /api/v1/workspaces/:slug': "the sign-in page shows the workspace's name and how its members sign in",
  'GET /api/v1/invitations/by-token/:token':
    'a Join as a guest link is opened before signing in; the token is the secret',
  'GET /api/v1/workspaces/:slug/oidc/start': 'sign-in through the workspace identity provider starts signed out',
  'GET /api/v1/workspaces/:slug/sso/start': 'sign-in through the workspace identity provider starts signed out',
  'GET /api/v1/oidc/:slug/jwks': "the identity provider fetches the workspace's public key (private_key_jwt)",
  'GET /api/v1/oidc/callback': 'the identity provider sends the browser back before a session exists',
  'GET /api/v1/saml/:slug/metadata': 'the SAML service-provider metadata is what the identity provider reads',
  'GET /api/v1/saml/:slug/login': 'SAML sign-in starts signed out',
  'POST /api/v1/saml/:slug/acs': 'the SAML identity provider posts the assertion before a session exists',
  'POST /api/v1/connect/start':
    'a client app asks to connect before it has a session (RFC 8628); rate limited per address, it grants nothing',
  'POST /api/v1/connect/token':
    'a client app polls with its device code, which is the secret; it gets a session only once a signed-in person approved',
  'POST /api/v1/auth/forgot-password':
    'Forgot your password? is asked signed out; the same answer whether or not the address exists, rate limited',
  'GET /api/v1/auth/reset-password/:token':
    'a reset link is opened from the mailbox, signed out; the token is the secret',
  'POST /api/v1/auth/reset-password':
    'choosing a new password needs only the reset link (the token); it signs nobody in and ends every session',
  'GET /api/v1/member-invitations/:token':
    'a Join workspace link is opened before the person has an account to sign in with; the token is the secret',
  'POST /api/v1/member-invitations/join':
    'joining from the link is how an invited member gets a password and a first session; the token is the secret',
  'GET /api/v1/email-changes/:token':
    'a Confirm email address link is opened from the mailbox, signed out; the token is the secret',
  'POST /api/v1/email-changes/confirm':
    'confirming the new address needs only the link sent to it (the token); it signs the person out everywhere',
};

/** The parameters that name someone's resource: an outsider must not learn whether it exists. */
const RESOURCE_PARAMS = ['partnerId', 'accountId', 'userId', 'deviceId', 'invitationId', 'sessionId'] as const;
type ResourceParam = (typeof RESOURCE_PARAMS)[number];

const label = (route: RouteSummary) => `${route.method} ${route.url}`;

let t: TestApp;
let table: RouteSummary[];
/** Resources of the Acme workspace and its partner Agency, which the outsiders try to reach. */
const target = {} as Record<ResourceParam, string>;
/** Signed in, MFA on, trusted device, identity just confirmed: nothing but the resource stands in the way. */
const outsiders: Array<{ who: string; client: TestClient }> = [];

/**
 * A body each state-changing route accepts, so the outsider's request reaches the resource check rather
 * than stopping at validation. A route missing here fails its test by name.
 */
function validBody(route: RouteSummary): unknown {
  const bodies: Record<string, unknown> = {
    'PATCH /api/v1/accounts/:accountId': { name: 'Renamed by an outsider' },
    'POST /api/v1/accounts/:accountId/members': { userId: target.userId, role: 'collaborator' },
    'POST /api/v1/accounts/:accountId/onward-shares': { userId: target.userId },
    'PUT /api/v1/accounts/:accountId/guests/:userId/role': { role: 'collaborator' },
    'POST /api/v1/accounts/:accountId/reveal': { field: 'password' },
    'PATCH /api/v1/partners/:partnerId': { name: 'Renamed by an outsider' },
    'POST /api/v1/partners/:partnerId/host-admins': { userId: target.userId },
    'POST /api/v1/partners/:partnerId/guests': { email: 'newcomer@outsider.test' },
    'PATCH /api/v1/partners/:partnerId/guests/:userId': { role: 'guest_user' },
    'PUT /api/v1/partners/:partnerId/guests/:userId/access-end': { accessEndsAt: null },
    'POST /api/v1/partners/:partnerId/accounts': { accounts: [{ accountId: target.accountId, role: 'collaborator' }] },
    'POST /api/v1/members/:userId/email': { email: 'renamed@outsider.test' },
    'PUT /api/v1/members/:userId/role': { role: 'admin' },
    'POST /api/v1/members/:userId/deactivate': {},
    'PATCH /api/v1/partners/:partnerId/access-review-schedule': { intervalDays: 90 },
  };
  return bodies[label(route)];
}

const ROUTES_WITHOUT_BODY = new Set([
  'POST /api/v1/accounts/:accountId/totp-code',
  'POST /api/v1/accounts/:accountId/autofill',
  'POST /api/v1/devices/:deviceId/approve',
  'POST /api/v1/devices/:deviceId/deny',
  'POST /api/v1/members/:userId/reset-mfa',
  'POST /api/v1/members/:userId/resend-invitation',
  'POST /api/v1/members/:userId/revoke-invitation',
  'POST /api/v1/members/:userId/reactivate',
  'POST /api/v1/partners/:partnerId/members/:userId/reset-password',
  'POST /api/v1/invitations/:invitationId/resend',
  'POST /api/v1/invitations/:invitationId/revoke',
  'POST /api/v1/partners/:partnerId/access-reviews',
  'POST /api/v1/accounts/:accountId/access-reviews',
]);

function send(client: TestClient, route: RouteSummary, url: string, payload?: unknown) {
  return client.request({
    method: route.method as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url,
    ...(payload === undefined ? {} : { payload }),
  });
}

function problem(response: LightMyRequestResponse): string {
  const body = String(response.headers['content-type']).includes('json') ? (response.json() as { type?: string }) : {};
  return `${response.statusCode} ${body.type ?? ''}`.trim();
}

/** A client app (an extension) on a trusted device, so even autofill, which only client apps get, is open. */
async function signedInOutsider(client: TestClient, admin: TestClient, who: string): Promise<void> {
  const { secret } = await turnOnMfa(client);
  await trustDevice(client, admin, { kind: 'extension' });
  await confirmIdentity(client, secret);
  outsiders.push({ who, client });
}

beforeAll(async () => {
  t = await createTestApp();
  const owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  await turnOnMfa(owner);
  target.accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;

  // Agency, Acme's partner: its guest admin holds the user and the device the outsiders aim at, and a
  // second, never-accepted invitation gives an invitation id.
  const agency = await createPartner(owner, 'Agency', 'gia@agency.test', [ownerId]);
  target.partnerId = agency.id;
  const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gia@agency.test'));
  target.userId = (await me(guest)).user.id;
  await turnOnMfa(guest);
  target.deviceId = (await trustDevice(guest, owner)).deviceId;
  target.sessionId = (
    (await guest.get('/api/v1/sessions')).json() as { sessions: Array<{ id: string }> }
  ).sessions[0]!.id;
  const invited = await owner.post(`/api/v1/partners/${agency.id}/guests`, { email: 'pending@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  const pending = (await owner.get(`/api/v1/partners/${agency.id}`)).json() as {
    members: Array<{ email: string; invitation: { id: string } | null }>;
  };
  target.invitationId = pending.members.find((member) => member.email === 'pending@agency.test')!.invitation!.id;

  // Outsider 1: the guest admin of another partner of the same workspace.
  await createPartner(owner, 'Rival', 'rex@rival.test', [ownerId]);
  const rival = await completeFirstSignIn(t, await readInvitation(owner, 'rex@rival.test'), {
    givenName: 'Rex',
    familyName: 'Rival',
  });
  await signedInOutsider(rival, owner, 'a guest admin of another partner');

  // Outsider 2: the owner of another workspace on the same server.
  const globexOwner = { email: 'gus@globex.test', displayName: 'Gus Owner', password: 'globex owner long password' };
  const input: CreateWorkspaceInput = { slug: 'globex', name: 'Globex', owner: globexOwner };
  const passwordHash = await prepareOwnerPassword(input);
  await t.app.unitOfWork.run((tx) => createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'test' }));
  const globex = t.client();
  const signedIn = await globex.post('/api/v1/auth/sign-in', {
    workspace: 'globex',
    username: globexOwner.email,
    password: globexOwner.password,
  });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  await signedInOutsider(globex, globex, 'the owner of another workspace');

  table = t.app.routeTable.filter((route) => route.url.startsWith('/api/v1/'));
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('public routes', () => {
  it('are exactly the ones listed here, with a reason each', () => {
    const declared = table.filter((route) => route.config.public === true).map(label);
    expect(declared.sort()).toEqual(Object.keys(PUBLIC_ROUTES).sort());
  });
});

describe('without a session', () => {
  /** Every route, in the order the server registered them; filtered inside each test (the table fills at boot). */
  const routeLabels = (): string[] => table.filter((route) => route.config.public !== true).map(label);

  it('the table holds the signed-in routes this test walks', () => {
    expect(routeLabels().length).toBeGreaterThanOrEqual(70);
  });

  it('every non-public route answers 401 before it looks at its input', async () => {
    const anonymous = t.client();
    const answers: string[] = [];
    for (const route of table.filter((candidate) => candidate.config.public !== true)) {
      // Parameters that are not ids and a body with an unknown field: each would be a 400 if it were read.
      const url = `${route.url.replace(/:(\w+)/g, 'not-an-id')}?unexpected=1`;
      const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : { unexpected: true };
      answers.push(`${label(route)} -> ${problem(await send(anonymous, route, url, payload))}`);
    }
    expect(answers).toEqual(routeLabels().map((route) => `${route} -> 401 /api/problems/unauthenticated`));
  });

  it('a public route answers without a session', async () => {
    const anonymous = t.client();
    expect((await anonymous.get('/api/v1/setup')).json()).toEqual({ needsSetup: false });
    expect((await anonymous.get('/api/v1/workspaces/acme')).statusCode).toBe(200);
  });
});

describe('a signed-in outsider', () => {
  it('the table has routes naming each kind of resource', () => {
    const named = (param: ResourceParam) => table.filter((route) => route.url.includes(`:${param}`)).length;
    for (const param of RESOURCE_PARAMS) expect(named(param), param).toBeGreaterThan(0);
  });

  // Each route naming a resource, once per outsider: the 404 must not depend on who asks, and a 403 or a
  // 200 would tell an outsider that the partner, account, person, device or invitation exists.
  it('gets 404 on every route that names a partner, account, user, device, invitation or session', async () => {
    const answers: string[] = [];
    const expected: string[] = [];
    const resourceRoutes = table.filter((route) => RESOURCE_PARAMS.some((param) => route.url.includes(`:${param}`)));
    for (const { who, client } of outsiders) {
      for (const route of resourceRoutes) {
        const url = route.url.replace(/:(\w+)/g, (_, name: string) => {
          if (!(RESOURCE_PARAMS as readonly string[]).includes(name)) throw new Error(`${label(route)}: fill :${name}`);
          return target[name as ResourceParam];
        });
        let payload: unknown;
        if (route.method !== 'GET' && route.method !== 'DELETE') {
          payload = validBody(route);
          if (payload === undefined && !ROUTES_WITHOUT_BODY.has(label(route))) {
            answers.push(`${who}: ${label(route)} -> no sample body in this test: add one to validBody`);
            expected.push(`${who}: ${label(route)} -> 404 /api/problems/not-found`);
            continue;
          }
        }
        answers.push(`${who}: ${label(route)} -> ${problem(await send(client, route, url, payload))}`);
        expected.push(`${who}: ${label(route)} -> 404 /api/problems/not-found`);
      }
    }
    expect(answers).toEqual(expected);
  });
});
