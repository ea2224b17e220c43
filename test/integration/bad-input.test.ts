import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { RawRequest, TestClient } from '../helpers/client.js';
import { addMember, MEMBER_PASSWORD, readJoinLink } from '../helpers/partners.js';

/**
 * Acceptance: every kind of bad input gets a specific 4xx as application/problem+json with a stable
 * `type`, a human `detail` and no internals, and never a 500. One app serves the whole table; no case
 * changes state another case relies on.
 */

const BOB_EMAIL = 'bob@acme.test';
/** Invite member: Carol is invited in beforeAll and never joins; her link serves the join cases. */
const VALID_MEMBER = { email: 'carol@acme.test', role: 'member' };
/** Her Join workspace link's token, read from the outbox once she is invited. */
let carolToken = '';
const validJoin = () => {
  if (!carolToken) throw new Error("Carol's join token is not read yet");
  return {
    token: carolToken,
    password: 'carol has a long password',
    passwordAgain: 'carol has a long password',
    givenName: 'Carol',
    familyName: 'Member',
  };
};
/** Joining from Carol's link, the fields overridden; built when the case runs (the token exists by then). */
const join =
  (fields: Record<string, unknown>, extra: Partial<RawRequest> = {}) =>
  (): RawRequest =>
    post('/api/v1/member-invitations/join', { ...validJoin(), ...fields }, extra);
const VALID_SIGN_IN = { workspace: 'acme', username: OWNER.email, password: OWNER.password };
const VALID_SETUP = { ...OWNER, slug: 'acme-two' };

type Who = 'visitor' | 'owner' | 'member';

interface BadInput {
  name: string;
  /** Who sends it: a fresh anonymous browser, the signed-in owner, or a signed-in plain member. */
  as: Who;
  /** The request, or a function building it when the case runs (for Carol's join token). */
  request: RawRequest | (() => RawRequest);
  /** Send these exact bytes as an application/json body instead of `request.payload`. */
  bytes?: Buffer;
  /** A fresh browser presenting this session cookie (as `as: 'visitor'`). */
  sessionCookie?: string;
  status: number;
  /** The problem name: the body's `type` is /api/problems/{problem}. */
  problem: string;
}

const post = (url: string, payload: unknown, extra: Partial<RawRequest> = {}): RawRequest => ({
  method: 'POST',
  url,
  payload,
  ...extra,
});
const get = (url: string): RawRequest => ({ method: 'GET', url });
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const CASES: BadInput[] = [
  // Body syntax
  {
    name: 'malformed JSON',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', '{"workspace": "acme",'),
    status: 400,
    problem: 'malformed-json',
  },
  {
    name: 'JSON with a trailing comma',
    as: 'owner',
    request: post('/api/v1/members', '{"email": "x@acme.test",}'),
    status: 400,
    problem: 'malformed-json',
  },
  {
    name: 'empty body with a JSON content-type',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', '', { headers: { 'content-type': 'application/json' } }),
    status: 400,
    problem: 'malformed-json',
  },
  {
    name: 'JSON array instead of an object',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', '[]'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'JSON null',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', 'null'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a bare JSON string',
    as: 'owner',
    request: post('/api/v1/members', '"carol@acme.test"'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'JSON nested 10,000 levels deep',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', nested(10_000)),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'body over 64 KiB',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, password: 'x'.repeat(70_000) }),
    status: 413,
    problem: 'body-too-large',
  },
  {
    name: 'invalid UTF-8 bytes in a JSON string',
    as: 'owner',
    request: post('/api/v1/members', undefined),
    bytes: Buffer.concat([
      Buffer.from('{"email":"da'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('ve@acme.test","role":"member"}'),
    ]),
    status: 400,
    problem: 'malformed-json',
  },

  // Content type
  {
    name: 'text/plain body',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', JSON.stringify(VALID_SIGN_IN), { headers: { 'content-type': 'text/plain' } }),
    status: 415,
    problem: 'unsupported-media-type',
  },
  {
    name: 'form-urlencoded body',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', 'workspace=acme&username=ada&password=x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    status: 415,
    problem: 'unsupported-media-type',
  },
  {
    name: 'multipart body',
    as: 'owner',
    request: post(
      '/api/v1/members',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nx@acme.test\r\n--x--',
      {
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      },
    ),
    status: 415,
    problem: 'unsupported-media-type',
  },

  // Shape and types
  {
    name: 'a number for the email',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: 42 }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an object for the password',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, password: { $ne: '' } }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a boolean for the slug',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, slug: true }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an array for the given name when joining',
    as: 'visitor',
    request: join({ givenName: ['Carol'] }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a number for the join token',
    as: 'visitor',
    request: join({ token: 42 }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'missing required fields',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { workspace: 'acme' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an empty object',
    as: 'owner',
    request: post('/api/v1/members', {}),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an unknown extra field',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, remember: true }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a privileged extra field',
    as: 'owner',
    request: post('/api/v1/members', {
      ...VALID_MEMBER,
      status: 'active',
      passwordHash: '$argon2id$v=19$m=1,t=1,p=1$x$y',
    }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a password chosen by the admin when inviting a member',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, password: 'carol has a long password' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a display name when inviting a member',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, displayName: 'Carol' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a role chosen by the person joining',
    as: 'visitor',
    request: join({ role: 'admin' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'joining without the password typed twice',
    as: 'visitor',
    request: join({ passwordAgain: undefined }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'role owner when adding a member',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, role: 'owner' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'role guest when adding a member',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, role: 'guest' }),
    status: 400,
    problem: 'validation-failed',
  },

  // Prototype pollution
  {
    name: '__proto__ key',
    as: 'owner',
    request: post('/api/v1/members', `{"email":"eve@acme.test","role":"member","__proto__":{"isAdmin":true}}`),
    status: 400,
    problem: 'malformed-json',
  },
  {
    name: 'nested __proto__ key',
    as: 'visitor',
    request: post(
      '/api/v1/auth/sign-in',
      `{"workspace":"acme","username":"ada@acme.test","password":"x","a":{"b":{"__proto__":{"isAdmin":true}}}}`,
    ),
    status: 400,
    problem: 'malformed-json',
  },
  {
    name: 'constructor.prototype key',
    as: 'visitor',
    request: post(
      '/api/v1/auth/sign-in',
      `{"workspace":"acme","username":"ada@acme.test","password":"x","constructor":{"prototype":{"isAdmin":true}}}`,
    ),
    status: 400,
    problem: 'malformed-json',
  },

  // Lengths
  {
    name: 'a 10,000-character given name',
    as: 'visitor',
    request: join({ givenName: 'C'.repeat(10_000) }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 10,000-character family name',
    as: 'visitor',
    request: join({ familyName: 'M'.repeat(10_000) }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 2,000-character password',
    as: 'visitor',
    request: join({ password: 'p'.repeat(2_000) }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 2,000-character join token',
    as: 'visitor',
    request: join({ token: 't'.repeat(2_000) }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 2,000-character sign-in password',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, password: 'p'.repeat(2_000) }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 60,000-character email',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: `${'c'.repeat(60_000)}@acme.test` }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a blank given name',
    as: 'visitor',
    request: join({ givenName: '   ' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a blank family name',
    as: 'visitor',
    request: join({ familyName: '' }),
    status: 400,
    problem: 'validation-failed',
  },

  // Text content
  {
    name: 'an email without a domain',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: 'carol@' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an email without @',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: 'carol.acme.test' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'two addresses in the email',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: 'carol@acme.test, eve@evil.test' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a NUL character in the given name',
    as: 'visitor',
    request: join({ givenName: 'Car\u0000ol' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a line break in the family name',
    as: 'visitor',
    request: join({ familyName: 'Member\nAdmin' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a lone UTF-16 surrogate in the given name',
    as: 'visitor',
    request: () =>
      post(
        '/api/v1/member-invitations/join',
        JSON.stringify({ ...validJoin(), givenName: 'Carol @@' }).replace('@@', String.raw`\ud800`),
      ),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a join token with characters a link never has',
    as: 'visitor',
    request: join({ token: `${'a'.repeat(30)}/../${'b'.repeat(10)}` }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a join token with a NUL byte in the link look-up',
    as: 'visitor',
    request: get(`/api/v1/member-invitations/${'a'.repeat(30)}%00`),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a NUL character in the sign-in username',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, username: 'ada\u0000@acme.test' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a NUL character in the workspace name',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, workspaceName: 'Acme\u0000' }),
    status: 400,
    problem: 'validation-failed',
  },

  // Slugs
  {
    name: 'slug with spaces and punctuation',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, slug: 'acme inc!' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'slug with a leading dash',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, workspace: '-acme' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'slug with a trailing dash',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, slug: 'acme-' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'slug that is blank after trimming',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', { ...VALID_SIGN_IN, workspace: '   ' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'slug with non-ASCII capitals',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, slug: 'ÄCME' }),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'slug of 64 characters',
    as: 'visitor',
    request: post('/api/v1/setup', { ...VALID_SETUP, slug: 'a'.repeat(64) }),
    status: 400,
    problem: 'validation-failed',
  },

  // Path parameters
  {
    name: 'NUL byte as a path parameter',
    as: 'visitor',
    request: get('/api/v1/workspaces/%00'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'dot-dot-slash as a path parameter',
    as: 'visitor',
    request: get('/api/v1/workspaces/..%2F..'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'a 300-character path parameter',
    as: 'visitor',
    request: get(`/api/v1/workspaces/${'a'.repeat(300)}`),
    status: 414,
    problem: 'url-too-long',
  },
  {
    name: 'broken percent-encoding in the path',
    as: 'visitor',
    request: get('/api/v1/workspaces/%E0%A4%A'),
    status: 400,
    problem: 'bad-request',
  },
  {
    name: 'a slug with a space as a path parameter',
    as: 'visitor',
    request: get('/api/v1/workspaces/ac%20me'),
    status: 400,
    problem: 'validation-failed',
  },

  // Routes and methods
  {
    name: 'unknown API route',
    as: 'visitor',
    request: get('/api/v1/no-such-thing'),
    status: 404,
    problem: 'not-found',
  },
  { name: 'unknown API version', as: 'visitor', request: get('/api/v2/setup'), status: 404, problem: 'not-found' },
  {
    name: 'DELETE on a GET/POST route',
    as: 'visitor',
    request: { method: 'DELETE', url: '/api/v1/setup' },
    status: 404,
    problem: 'not-found',
  },
  {
    name: 'PATCH on the member list',
    as: 'owner',
    request: { method: 'PATCH', url: '/api/v1/members', payload: {} },
    status: 404,
    problem: 'not-found',
  },
  {
    name: 'a problem type named like an Object.prototype member',
    as: 'visitor',
    request: get('/api/problems/constructor'),
    status: 404,
    problem: 'not-found',
  },

  // Query strings
  {
    name: 'limit=abc',
    as: 'owner',
    request: get('/api/v1/activity?limit=abc'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'limit=-1',
    as: 'owner',
    request: get('/api/v1/activity?limit=-1'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'limit=99999',
    as: 'owner',
    request: get('/api/v1/activity?limit=99999'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'limit=1.5',
    as: 'owner',
    request: get('/api/v1/activity?limit=1.5'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'limit given twice',
    as: 'owner',
    request: get('/api/v1/activity?limit=1&limit=2'),
    status: 400,
    problem: 'validation-failed',
  },
  {
    name: 'an unknown query key',
    as: 'owner',
    request: get('/api/v1/activity?offset=10'),
    status: 400,
    problem: 'validation-failed',
  },

  // CSRF
  {
    name: 'missing CSRF token',
    as: 'owner',
    request: post('/api/v1/members', VALID_MEMBER, { withoutCsrf: true }),
    status: 403,
    problem: 'csrf',
  },
  {
    name: 'invalid CSRF token',
    as: 'owner',
    request: post('/api/v1/members', VALID_MEMBER, { withoutCsrf: true, headers: { 'x-csrf-token': 'forged-token' } }),
    status: 403,
    problem: 'csrf',
  },
  {
    name: 'joining without a CSRF token',
    as: 'visitor',
    request: join({}, { withoutCsrf: true }),
    status: 403,
    problem: 'csrf',
  },
  {
    name: 'CSRF token without its cookie',
    as: 'visitor',
    request: post('/api/v1/auth/sign-in', VALID_SIGN_IN, { withoutCsrf: true, headers: { 'x-csrf-token': 'a.b' } }),
    status: 403,
    problem: 'csrf',
  },

  // Sessions and permissions
  {
    name: 'a very long session cookie',
    as: 'visitor',
    sessionCookie: 'A'.repeat(4_000),
    request: get('/api/v1/auth/session'),
    status: 401,
    problem: 'unauthenticated',
  },
  {
    name: 'a non-ASCII session cookie',
    as: 'visitor',
    sessionCookie: 'sëssïön-ÿ',
    request: get('/api/v1/auth/session'),
    status: 401,
    problem: 'unauthenticated',
  },
  {
    name: 'a percent-garbage session cookie',
    as: 'visitor',
    sessionCookie: '%ff%fe%00',
    request: get('/api/v1/auth/session'),
    status: 401,
    problem: 'unauthenticated',
  },
  {
    name: 'a well-formed but unknown session token',
    as: 'visitor',
    sessionCookie: 'x'.repeat(43),
    request: get('/api/v1/auth/session'),
    status: 401,
    problem: 'unauthenticated',
  },
  {
    name: 'listing members without signing in',
    as: 'visitor',
    request: get('/api/v1/members'),
    status: 401,
    problem: 'unauthenticated',
  },
  {
    name: 'a plain member adding a member',
    as: 'member',
    request: post('/api/v1/members', VALID_MEMBER),
    status: 403,
    problem: 'forbidden',
  },

  // Business rules
  {
    name: 'a duplicate member email, in other case',
    as: 'owner',
    request: post('/api/v1/members', { ...VALID_MEMBER, email: 'BOB@acme.test' }),
    status: 409,
    problem: 'email-taken',
  },
  {
    name: 'a plain member inviting an admin',
    as: 'member',
    request: post('/api/v1/members', { ...VALID_MEMBER, role: 'admin' }),
    status: 403,
    problem: 'forbidden',
  },
  {
    name: 'a well-formed join link that matches no invitation',
    as: 'visitor',
    request: join({ token: 'x'.repeat(43) }),
    status: 404,
    problem: 'invitation-not-found',
  },
  {
    name: 'a weak member password',
    as: 'visitor',
    request: join({ password: 'short', passwordAgain: 'short' }),
    status: 422,
    problem: 'weak-password',
  },
  {
    name: 'the email as the password',
    as: 'visitor',
    request: join({ password: 'CAROL@ACME.TEST', passwordAgain: 'CAROL@ACME.TEST' }),
    status: 422,
    problem: 'weak-password',
  },
  {
    name: 'two passwords that do not match',
    as: 'visitor',
    request: join({ passwordAgain: 'carol has a long passworD' }),
    status: 422,
    problem: 'weak-password',
  },
  {
    name: 'set-up when already set up',
    as: 'visitor',
    request: post('/api/v1/setup', VALID_SETUP),
    status: 409,
    problem: 'already-set-up',
  },
];

const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'instance', 'errors'];
/** Signs of leaked internals: stack frames, source locations, dependency paths. */
const LEAKS = [
  /^\s*at\s/m,
  /\bat (?:async )?[\w$.<>]+ \(/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /\/work\/|\/src\//,
  /"stack"/,
];

let t: TestApp;
const clients = {} as Record<'owner' | 'member', TestClient>;

beforeAll(async () => {
  t = await createTestApp();
  clients.owner = await setUpWorkspace(t);
  await addMember(clients.owner, BOB_EMAIL, 'member');
  const invited = await clients.owner.post('/api/v1/members', VALID_MEMBER);
  if (invited.statusCode !== 201) throw new Error(`inviting Carol failed: ${invited.statusCode} ${invited.body}`);
  carolToken = (await readJoinLink(clients.owner, VALID_MEMBER.email)).token;
  clients.member = t.client();
  const signedIn = await clients.member.post('/api/v1/auth/sign-in', {
    workspace: 'acme',
    username: BOB_EMAIL,
    password: MEMBER_PASSWORD,
  });
  if (signedIn.statusCode !== 200) throw new Error(`Bob's sign-in failed: ${signedIn.statusCode} ${signedIn.body}`);
  if (signedIn.json().pending?.terms) {
    const { version } = (await clients.member.get('/api/v1/terms/current')).json() as { version: number };
    const accepted = await clients.member.post('/api/v1/terms/accept', { version });
    if (accepted.statusCode !== 204)
      throw new Error(`Bob's terms acceptance failed: ${accepted.statusCode} ${accepted.body}`);
  }
});

afterAll(async () => {
  await t?.close();
});

/** Sends one case. Visitors get a fresh browser each, from an address of their own. */
async function send(testCase: BadInput, index: number): Promise<LightMyRequestResponse> {
  const client = testCase.as === 'visitor' ? t.client({ ip: `198.51.100.${index % 250}` }) : clients[testCase.as];
  if (testCase.sessionCookie !== undefined) client.setCookie('gatehouse_session', testCase.sessionCookie);
  const request = typeof testCase.request === 'function' ? testCase.request() : testCase.request;
  if (!testCase.bytes) return client.request(request);

  // TestClient sends strings as UTF-8; bytes that are not valid UTF-8 need inject directly.
  const token = (await client.get('/api/v1/auth/csrf')).json().token as string;
  const cookie = ['gatehouse_session', 'gatehouse_csrf']
    .map((name) => [name, client.cookie(name)])
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return t.app.inject({
    method: request.method,
    url: request.url,
    headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
    payload: testCase.bytes,
  });
}

function expectProblem(response: LightMyRequestResponse, status: number, problem: string): void {
  const context = `${response.statusCode} ${response.body.slice(0, 500)}`;
  expect(response.statusCode, context).toBe(status);
  expect(response.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  for (const leak of LEAKS) expect(response.body, `leaks internals (${leak})`).not.toMatch(leak);

  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(
    Object.keys(body).filter((key) => !PROBLEM_KEYS.includes(key)),
    context,
  ).toEqual([]);
  expect(body.type).toBe(`/api/problems/${problem}`);
  expect(body.status).toBe(status);
  expect(body.title).toEqual(expect.stringMatching(/\p{L}{2,}/u));
  expect(typeof body.detail).toBe('string');
  const detail = (body.detail as string).trim();
  expect(detail.length, context).toBeGreaterThanOrEqual(10);
  expect(detail, 'detail reads as words').toMatch(/\p{L}{3,}[\s\S]*\s[\s\S]*\p{L}{2,}/u);
}

describe('bad input gets a specific 4xx problem, never a 500 or a stack trace', () => {
  it('covers at least 25 distinct cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((testCase, index) => ({ ...testCase, index })))('$name → $status $problem', async (testCase) => {
    const response = await send(testCase, testCase.index);
    expectProblem(response, testCase.status, testCase.problem);
  });
});

describe('after the bad input', () => {
  it('accepted none of it: the prototype is clean, the owner and Bob are members, Carol is still only invited', async () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const members = (await clients.owner.get('/api/v1/members')).json().members as Array<{
      email: string;
      displayName: string;
      role: string;
      status: string;
      invitation: { state: string } | null;
    }>;
    expect(members.map((m) => m.email)).toEqual([OWNER.email, BOB_EMAIL, VALID_MEMBER.email]);
    expect(members[2]).toMatchObject({ role: 'member', status: 'invited', invitation: { state: 'pending' } });
    const link = await t.client().get(`/api/v1/member-invitations/${carolToken}`);
    expect(link.statusCode, link.body).toBe(200);
    expect(link.json()).toMatchObject({ state: 'pending', email: VALID_MEMBER.email, role: 'member' });
    const carol = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: VALID_MEMBER.email,
      password: validJoin().password,
    });
    expect(carol.statusCode, carol.body).toBe(401);
  });

  it('still serves good input: the same app signs the owner in', async () => {
    const response = await t.client().post('/api/v1/auth/sign-in', VALID_SIGN_IN);
    expect(response.statusCode).toBe(200);
  });
});
