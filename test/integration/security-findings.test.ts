import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, setUpWorkspace, type TestApp, type TestAppOptions } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, freshCode, passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  readJoinLink,
  signIn,
} from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';
import { redisUrl } from '../helpers/requirements.js';
import { createTwoInstances } from '../helpers/two-instances.js';
import { OWNER } from '../helpers/app.js';

/**
 * Issue 13's security findings, one block each: every test here failed on the code before its fix.
 */

let t: TestApp | undefined;

async function start(options: TestAppOptions = {}): Promise<TestApp> {
  t = await createTestApp(options);
  return t;
}

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function acceptTerms(client: TestClient): Promise<void> {
  const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
  const accepted = await client.post('/api/v1/terms/accept', { version: terms.version });
  expect(accepted.statusCode, accepted.body).toBe(204);
}

function expectNoStore(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, `${what}: ${response.body}`).toBeLessThan(300);
  expect(response.headers['cache-control'], what).toMatch(/(^|,\s*)no-store(\s*,|$)/);
}

describe('finding 1: responses carrying a secret are never stored by a cache', () => {
  it('sends Cache-Control: no-store with TOTP keys, recovery codes, device secrets, revealed passwords, autofill and TOTP codes', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);

    const setup = await owner.post('/api/v1/mfa/totp/setup');
    expectNoStore(setup, 'POST /mfa/totp/setup (the TOTP key)');
    const secret = (setup.json().key as string).replace(/\s/g, '');
    const confirmed = await owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(secret) });
    expect(confirmed.json().recoveryCodes).toHaveLength(10);
    expectNoStore(confirmed, 'POST /mfa/totp/confirm (the first recovery codes)');
    const regenerated = await owner.post('/api/v1/mfa/recovery-codes');
    expectNoStore(regenerated, 'POST /mfa/recovery-codes (new recovery codes)');

    // A passkey as the first factor hands out the recovery codes too.
    await addMember(owner, 'mia@acme.test');
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    await acceptTerms(mia);
    const authenticator = new SoftwareAuthenticator('http://localhost:3000');
    const options = await mia.post('/api/v1/mfa/passkeys/registration-options');
    expect(options.statusCode, options.body).toBe(200);
    const passkey = await mia.post('/api/v1/mfa/passkeys', {
      name: 'YubiKey',
      response: authenticator.register(options.json()),
    });
    expect(passkey.json().recoveryCodes).toHaveLength(10);
    expectNoStore(passkey, 'POST /mfa/passkeys (recovery codes with the first factor)');

    const accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    await trustDevice(owner, owner);
    const totpCode = await owner.post(`/api/v1/accounts/${accountId}/totp-code`);
    expectNoStore(totpCode, 'POST /accounts/:id/totp-code');
    const revealed = await owner.post(`/api/v1/accounts/${accountId}/reveal`, { field: 'password' });
    expect(revealed.json().value).toBe(ACCOUNT.password);
    expectNoStore(revealed, 'POST /accounts/:id/reveal');

    // A client app: its session token and device secret come once when it connects, then it receives
    // passwords for autofill.
    const extension = await signIn(t, OWNER.email, OWNER.password);
    await passSecondFactor(extension, secret);
    const started = await extension.post('/api/v1/connect/start', { kind: 'extension' });
    expectNoStore(started, 'POST /connect/start (the device code)');
    const { deviceCode, userCode } = started.json() as { deviceCode: string; userCode: string };
    expect(
      (await owner.post(`/api/v1/connect/requests/${userCode}/approve`, { deviceName: 'laptop' })).statusCode,
    ).toBe(200);
    const connected = await extension.post('/api/v1/connect/token', { deviceCode });
    expect(connected.json().deviceSecret).toEqual(expect.any(String));
    expectNoStore(connected, 'POST /connect/token (the session token and device secret)');
    await trustDevice(extension, owner, { kind: 'extension' });
    const autofill = await extension.post(`/api/v1/accounts/${accountId}/autofill`);
    expect(autofill.json().password).toBe(ACCOUNT.password);
    expectNoStore(autofill, 'POST /accounts/:id/autofill');
  });

  it('makes no-store the rule for every API response, problems included', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);
    const anonymous = t.client();
    const answers: Array<[string, LightMyRequestResponse]> = [
      ['GET /auth/csrf', await anonymous.get('/api/v1/auth/csrf')],
      ['GET /auth/session', await owner.get('/api/v1/auth/session')],
      ['GET /activity', await owner.get('/api/v1/activity')],
      ['a refused reveal', await owner.post('/api/v1/accounts/00000000-0000-4000-8000-000000000000/reveal', {})],
      ['an unknown API route', await owner.get('/api/v1/no-such-thing')],
    ];
    for (const [what, response] of answers) {
      expect(response.headers['cache-control'], what).toMatch(/(^|,\s*)no-store(\s*,|$)/);
    }
  });
});

/** A log sink: every JSON line the app writes. */
function logCapture(): { stream: Writable; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return {
    stream,
    text: () => output,
    lines: () =>
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('finding 2: tokens in URLs never reach the log', () => {
  it('logs Join as a guest links and their API look-up with the token redacted, in the path and in the query', async () => {
    const log = logCapture();
    const t = await start({ logStream: log.stream });
    const owner = await setUpWorkspace(t);
    await createPartner(owner, 'Agency', 'gia@agency.test', [(await me(owner)).user.id]);
    const { token, joinUrl } = await readInvitation(owner, 'gia@agency.test');
    const visitor = t.client();

    // The web app's page (or, without a built web app, the 503 that says so): logged either way.
    await visitor.get(new URL(joinUrl).pathname + new URL(joinUrl).search);
    const lookup = await visitor.get(`/api/v1/invitations/by-token/${token}`);
    expect(lookup.statusCode, lookup.body).toBe(200);
    // Other credentials that travel in URLs: an identity provider's answer, a reset link's token.
    const oidcCode = 'SplxlOBeZQQYbYS6WxSbIA';
    const oidcState = 'af0ifjsldkjXk3OQvVnNhT0';
    await visitor.get(`/api/v1/oidc/callback?code=${oidcCode}&state=${oidcState}`);
    const resetToken = 'q3Xz9PLm2VbN8rT5wKcY7hGf4JdS1aE6uR0iO';
    await visitor.get(`/w/acme/reset-password/${resetToken}?password=hunter2hunter2`);

    const requestUrls = log
      .lines()
      .map((line) => (line.req as { url?: string } | undefined)?.url)
      .filter((url): url is string => url !== undefined);
    expect(requestUrls).toEqual(
      expect.arrayContaining([
        '/w/acme?invitation=[redacted]',
        '/api/v1/invitations/by-token/[redacted]',
        '/api/v1/oidc/callback?code=[redacted]&state=[redacted]',
        '/w/acme/reset-password/[redacted]?password=[redacted]',
      ]),
    );
    const written = log.text();
    for (const secret of [token, oidcCode, oidcState, resetToken, 'hunter2hunter2']) {
      expect(written).not.toContain(secret);
    }
    // Ids and slugs, which are not secrets, stay readable.
    expect(requestUrls).toContain('/api/v1/auth/session');
  });
});

const RIGHT_TO_LEFT_OVERRIDE = '\u202E';
const LINE_SEPARATOR = '\u2028';

function expectFieldRefused(response: LightMyRequestResponse, path: string, what: string): void {
  expect(response.statusCode, `${what}: ${response.body}`).toBe(400);
  const problem = response.json() as { type: string; errors?: Array<{ path: string; message: string }> };
  expect(problem.type, what).toBe('/api/problems/validation-failed');
  const error = problem.errors?.find((e) => e.path === path);
  expect(error?.message, `${what}: ${response.body}`).toMatch(/cannot contain .*\(found U\+(202E|2028)\)\.$/);
}

describe('finding 3: names that change how text reads are refused', () => {
  it('refuses a device name that would forge a line in the device-code mail, and sends no mail', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);
    const forged = `Chrome${LINE_SEPARATOR}${LINE_SEPARATOR}SECURITY NOTICE: your account is locked. Call +1 555 0100 now.`;
    for (const name of [forged, `Chrome ${RIGHT_TO_LEFT_OVERRIDE}txt.exe`]) {
      expectFieldRefused(await owner.post('/api/v1/devices', { name, kind: 'browser' }), 'name', 'POST /devices');
    }
    const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ subject: string; text: string }>;
    expect(outbox.filter((m) => /device/i.test(m.subject))).toEqual([]);
    expect(JSON.stringify(outbox)).not.toContain('SECURITY NOTICE');
  });

  it('refuses U+202E and U+2028 in every name field, with the field named', async () => {
    const t = await start();
    const anonymous = t.client();
    for (const bad of [RIGHT_TO_LEFT_OVERRIDE, LINE_SEPARATOR]) {
      const setup = await anonymous.post('/api/v1/setup', { ...OWNER, workspaceName: `Acme${bad}Inc` });
      expectFieldRefused(setup, 'workspaceName', 'set-up: workspace name');
      const named = await anonymous.post('/api/v1/setup', { ...OWNER, displayName: `Ada${bad}Owner` });
      expectFieldRefused(named, 'displayName', 'set-up: owner name');
    }
    const owner = await setUpWorkspace(t);
    const { secret } = await turnOnMfa(owner);
    await confirmIdentity(owner, secret);
    const accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    const partner = await createPartner(owner, 'Agency', 'gia@agency.test', [(await me(owner)).user.id]);
    const patch = (url: string, payload: unknown) => owner.request({ method: 'PATCH', url, payload });
    const invited = await owner.post('/api/v1/members', { email: 'x@acme.test', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    const { token } = await readJoinLink(owner, 'x@acme.test');
    const joinAs = (names: { givenName: string; familyName: string }) =>
      t.client().post('/api/v1/member-invitations/join', {
        token,
        password: 'a long enough password',
        passwordAgain: 'a long enough password',
        ...names,
      });

    for (const bad of [RIGHT_TO_LEFT_OVERRIDE, LINE_SEPARATOR]) {
      const name = `Name${bad}txt.exe`;
      const cases: Array<[string, string, Promise<LightMyRequestResponse>]> = [
        ['POST /member-invitations/join (name)', 'givenName', joinAs({ givenName: name, familyName: 'Member' })],
        [
          'POST /member-invitations/join (family name)',
          'familyName',
          joinAs({ givenName: 'Xavier', familyName: name }),
        ],
        ['PATCH /workspace/settings', 'name', patch('/api/v1/workspace/settings', { name })],
        [
          'POST /auth/change-password (name)',
          'givenName',
          owner.post('/api/v1/auth/change-password', {
            newPassword: 'x',
            newPasswordAgain: 'x',
            givenName: name,
            familyName: 'Guest',
          }),
        ],
        [
          'POST /auth/change-password (family name)',
          'familyName',
          owner.post('/api/v1/auth/change-password', {
            newPassword: 'x',
            newPasswordAgain: 'x',
            givenName: 'Gina',
            familyName: name,
          }),
        ],
        [
          'POST /partners',
          'name',
          owner.post('/api/v1/partners', { name, guestAdminEmail: 'y@agency.test', hostAdminIds: [] }),
        ],
        ['PATCH /partners/:id', 'name', patch(`/api/v1/partners/${partner.id}`, { name })],
        ['POST /devices', 'name', owner.post('/api/v1/devices', { name, kind: 'cli' })],
        ['POST /mfa/passkeys', 'name', owner.post('/api/v1/mfa/passkeys', { name, response: {} })],
        [
          'PATCH /mfa/passkeys/:id',
          'name',
          patch('/api/v1/mfa/passkeys/00000000-0000-4000-8000-000000000000', { name }),
        ],
        ['POST /accounts (name)', 'name', owner.post('/api/v1/accounts', { ...ACCOUNT, name })],
        ['POST /accounts (app name)', 'appName', owner.post('/api/v1/accounts', { ...ACCOUNT, appName: name })],
        ['PATCH /accounts/:id', 'name', patch(`/api/v1/accounts/${accountId}`, { name })],
        ['POST /terms', 'body', owner.post('/api/v1/terms', { body: `Terms of service\n\n${name}` })],
      ];
      for (const [what, path, response] of cases)
        expectFieldRefused(await response, path, `${what} with ${JSON.stringify(bad)}`);
    }
  });
});

function expectInvitationsLimited(response: LightMyRequestResponse, detail: RegExp, what: string): void {
  expect(response.statusCode, `${what}: ${response.body}`).toBe(429);
  expect(response.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter, what).toBeGreaterThanOrEqual(1);
  expect(retryAfter, what).toBeLessThanOrEqual(3600);
  expect(response.json(), what).toMatchObject({ type: '/api/problems/invitations-rate-limited', status: 429 });
  expect(response.json().detail, what).toMatch(detail);
}

describe('finding 4: invitations are rate-limited per inviter and per partner', () => {
  it('stops a guest admin at the per-inviter limit and everyone at the per-partner limit, resends included', async () => {
    const t = await start({ attempts: { policy: { invitationsPerInviter: 3, invitationsPerPartner: 4 } } });
    const owner = await setUpWorkspace(t);
    const ownerId = (await me(owner)).user.id;
    const partner = await createPartner(owner, 'Agency', 'gia@agency.test', [ownerId]);
    const guestAdmin = await completeFirstSignIn(t, await readInvitation(owner, 'gia@agency.test'));
    const invite = (client: TestClient, email: string) =>
      client.post(`/api/v1/partners/${partner.id}/guests`, { email });

    // A refused invitation does not count.
    expect((await invite(guestAdmin, 'gia@agency.test')).statusCode).toBe(409);
    for (const n of [1, 2, 3]) expect((await invite(guestAdmin, `g${n}@agency.test`)).statusCode).toBe(201);
    expectInvitationsLimited(await invite(guestAdmin, 'g4@agency.test'), /You have sent/, 'the guest admin, 4th');
    const guests = (await owner.get(`/api/v1/partners/${partner.id}`)).json().members as Array<{
      email: string;
      invitation: { id: string } | null;
    }>;
    expect(guests.map((g) => g.email)).not.toContain('g4@agency.test');
    const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ to: string }>;
    expect(outbox.map((m) => m.to)).not.toContain('g4@agency.test');

    // Resending is sending: the guest admin's allowance is spent.
    const g1 = guests.find((g) => g.email === 'g1@agency.test')!;
    expectInvitationsLimited(
      await guestAdmin.post(`/api/v1/invitations/${g1.invitation!.id}/resend`),
      /You have sent/,
      'the guest admin resending',
    );

    // The partner's guests had 3 invitations; the host admin may send one more, then the partner is at its limit.
    expect((await invite(owner, 'o1@agency.test')).statusCode).toBe(201);
    expectInvitationsLimited(
      await invite(owner, 'o2@agency.test'),
      /this partner/,
      'the host admin, 5th for the partner',
    );
    expectInvitationsLimited(
      await owner.post(`/api/v1/invitations/${g1.invitation!.id}/resend`),
      /this partner/,
      'the host admin resending',
    );

    // The refusal by the partner's limit did not spend the host admin's own allowance (2 of 3 so far).
    const other = await owner.post('/api/v1/partners', {
      name: 'Studio',
      guestAdminEmail: 'sam@studio.test',
      hostAdminIds: [ownerId],
    });
    expect(other.statusCode, other.body).toBe(201);
    const third = await owner.post('/api/v1/partners', {
      name: 'Bureau',
      guestAdminEmail: 'bo@bureau.test',
      hostAdminIds: [ownerId],
    });
    expectInvitationsLimited(third, /You have sent/, 'the owner adding a partner');
    const partners = (await owner.get('/api/v1/partners')).json().partners as Array<{ name: string }>;
    expect(partners.map((p) => p.name).sort()).toEqual(['Agency', 'Studio']);
  });

  it('holds the limit under parallel invitations', async () => {
    const t = await start({ attempts: { policy: { invitationsPerInviter: 5, invitationsPerPartner: 100 } } });
    const owner = await setUpWorkspace(t);
    const partner = await createPartner(owner, 'Agency', 'gia@agency.test', [(await me(owner)).user.id]);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        owner.post(`/api/v1/partners/${partner.id}/guests`, { email: `p${n}@agency.test` }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    // One of the five went to the partner's first guest admin.
    expect(statuses).toEqual([...Array<number>(4).fill(201), ...Array<number>(8).fill(429)]);
    const members = (await owner.get(`/api/v1/partners/${partner.id}`)).json().members as unknown[];
    expect(members).toHaveLength(1 + 1 + 4);
  });
});

describe('finding 4, across instances', () => {
  it('holds the per-inviter limit across two server instances (Redis when configured, else the database)', async () => {
    const redis = redisUrl();
    const both = await createTwoInstances({
      attempts: { policy: { invitationsPerInviter: 4, invitationsPerPartner: 100 } },
      ...(redis ? { env: { GATEHOUSE_REDIS_URL: redis } } : {}),
    });
    try {
      const onFirst = await setUpWorkspace(both.first);
      const partner = await createPartner(onFirst, 'Agency', 'gia@agency.test', [(await me(onFirst)).user.id]);
      const onSecond = await signIn(both.second, OWNER.email, OWNER.password);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          (n % 2 === 0 ? onFirst : onSecond).post(`/api/v1/partners/${partner.id}/guests`, {
            email: `x${n}@agency.test`,
          }),
        ),
      );
      // Four in the hour: the partner's first guest admin and three more, wherever they were sent.
      expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(3);
      expect(answers.filter((answer) => answer.statusCode === 429)).toHaveLength(5);
    } finally {
      await both.close();
    }
  });
});

describe('finding 5: failed sign-ins keep no typed text that names nobody', () => {
  it('stores a known username as it is and an unknown one only as a keyed hash that still matches repeats', async () => {
    const t = await start({ attempts: { policy: { userFailures: 3 } } });
    const owner = await setUpWorkspace(t);
    await addMember(owner, 'mia@acme.test');
    const typedPassword = 'Tr0ub4dor&3 horse staple';
    const signInAs = (username: string, ip: string) =>
      t.client({ ip }).post('/api/v1/auth/sign-in', { workspace: 'acme', username, password: 'wrong password 1' });

    // Someone types their password into the username field, three times (the third starts a lockout).
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      expect((await signInAs(typedPassword, ip)).statusCode).toBe(401);
    }
    expect((await signInAs('nobody@acme.test', '198.51.100.4')).statusCode).toBe(401);
    expect((await signInAs('Mia@Acme.test', '198.51.100.5')).statusCode).toBe(401);

    const rows = (await sql`SELECT * FROM activity_events ORDER BY seq`.execute(t.database.db)).rows as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;
    const dump = JSON.stringify(rows);
    for (const form of [
      typedPassword,
      typedPassword.toLowerCase(),
      'nobody@acme.test',
      encodeURIComponent(typedPassword),
    ]) {
      expect(dump).not.toContain(form);
    }

    const failures = rows.filter((row) => row.action === 'auth.sign_in_failed').map((row) => row.details);
    expect(failures).toHaveLength(5);
    const [first, second, third, nobody, mia] = failures as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(first).toEqual({ reason: 'unknown_user', usernameHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    // The same text typed again gives the same hash, so the attempts can be told apart and counted.
    expect(second.usernameHash).toBe(first.usernameHash);
    expect(third.usernameHash).toBe(first.usernameHash);
    expect(nobody.usernameHash).not.toBe(first.usernameHash);
    // A username that names a member is kept, as the member's username.
    expect(mia).toEqual({ reason: 'wrong_password', username: 'mia@acme.test' });

    const lockout = rows.find((row) => row.action === 'auth.lockout_started')!;
    expect(lockout.details).toMatchObject({ scope: 'password', usernameHash: first.usernameHash });
    expect(lockout.details).not.toHaveProperty('username');
  });
});

describe('finding 6: Reset MFA follows who acts on whom', () => {
  /** A signed-in person with MFA on and a fresh identity confirmation, as Reset MFA needs. */
  async function withMfa(t: TestApp, email: string, role: 'admin' | 'member', owner: TestClient) {
    const id = await addMember(owner, email, role);
    const client = await signIn(t, email, MEMBER_PASSWORD);
    await acceptTerms(client);
    await turnOnMfa(client);
    return { id, client };
  }

  async function mfaEnabled(client: TestClient): Promise<boolean> {
    const session = await client.get('/api/v1/auth/session');
    expect(session.statusCode, session.body).toBe(200);
    return (session.json() as { assurance: { mfaEnabled: boolean } }).assurance.mfaEnabled;
  }

  const resetMfa = (actor: TestClient, userId: string) => actor.post(`/api/v1/members/${userId}/reset-mfa`);

  function expectRefused(response: LightMyRequestResponse, what: string): void {
    expect([403, 404], `${what}: ${response.body}`).toContain(response.statusCode);
    expect(response.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  }

  it('refuses an admin resetting the owner or another admin; the owner may reset an admin', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);
    const ownerId = (await me(owner)).user.id;
    await turnOnMfa(owner);
    const adam = await withMfa(t, 'adam@acme.test', 'admin', owner);
    const alma = await withMfa(t, 'alma@acme.test', 'admin', owner);

    expectRefused(await resetMfa(adam.client, ownerId), "an admin resetting the owner's MFA");
    // The owner is still signed in, with MFA on.
    expect(await mfaEnabled(owner)).toBe(true);
    expectRefused(await resetMfa(adam.client, alma.id), "an admin resetting another admin's MFA");
    expect(await mfaEnabled(alma.client)).toBe(true);
    expectRefused(await adam.client.get(`/api/v1/members/${ownerId}/mfa`), "an admin reading the owner's MFA");

    const byOwner = await resetMfa(owner, alma.id);
    expect(byOwner.statusCode, byOwner.body).toBe(204);
    expect((await alma.client.get('/api/v1/auth/session')).statusCode).toBe(401);
    const events = (await owner.get('/api/v1/activity')).json().events as Array<{ action: string }>;
    expect(events.filter((e) => e.action === 'mfa.reset')).toHaveLength(1);
  });

  it('still lets admins reset members and guests, and host admins the guests of their partner', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);
    await turnOnMfa(owner);
    const adam = await withMfa(t, 'adam@acme.test', 'admin', owner);
    const mia = await withMfa(t, 'mia@acme.test', 'member', owner);
    const hugo = await withMfa(t, 'hugo@acme.test', 'member', owner);
    const partner = await createPartner(owner, 'Agency', 'gia@agency.test', [hugo.id]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gia@agency.test'));
    await turnOnMfa(guest);
    const guestId = partner.members.find((m) => m.email === 'gia@agency.test')!.userId;

    // A member who hosts no one acts on no one.
    expectRefused(await resetMfa(mia.client, hugo.id), 'a member resetting a member');
    expect((await resetMfa(adam.client, mia.id)).statusCode).toBe(204);
    expect((await resetMfa(hugo.client, guestId)).statusCode).toBe(204);
    expect((await guest.get('/api/v1/auth/session')).statusCode).toBe(401);
  });
});
