import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { passwordWorkStats, setPasswordWorkLimits, type PasswordWorkLimits } from '../../src/crypto/passwords.js';
import type { AttemptPolicy } from '../../src/services/attempt-policy.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, MEMBER_PASSWORD } from '../helpers/partners.js';
import { redisUrl } from '../helpers/requirements.js';
import { createTwoInstances, type TwoInstances } from '../helpers/two-instances.js';

/** The default allowances with a one-second first lockout, so a test can wait one out. */
const SHORT: Partial<AttemptPolicy> = {
  firstLockoutMs: 1000,
  maxLockoutMs: 8000,
  // Short memories, so that nothing this file leaves in Redis lives long.
  windowMs: 60_000,
  levelMemoryMs: 60_000,
};

/**
 * Waits out a lockout for as long as the refusal's Retry-After says, as a well-behaved client does.
 * Lockouts run on the counter store's own time (Redis or PostgreSQL key expiry), which no clock in this
 * process can move, so the test lets that real second pass.
 */
async function waitOutLockout(refusal: LightMyRequestResponse): Promise<void> {
  const seconds = Number(refusal.headers['retry-after']);
  expect(seconds).toBeGreaterThan(0);
  // Real time on purpose: the counter store's expiry reads Redis's or the process's clock, never app.clock.
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
}

let t: TestApp | undefined;
let two: TwoInstances | undefined;
let previousLimits: PasswordWorkLimits | undefined;
afterEach(async () => {
  if (previousLimits) setPasswordWorkLimits(previousLimits);
  previousLimits = undefined;
  await two?.close();
  two = undefined;
  await t?.close();
  t = undefined;
});

async function start(policy: Partial<AttemptPolicy> = SHORT): Promise<{ t: TestApp; owner: TestClient }> {
  t = await createTestApp({ attempts: { policy } });
  return { t, owner: await setUpWorkspace(t) };
}

/** A client from an address of its own: the i-th of many attackers. */
const fromAddress = (app: { client(options?: { ip?: string }): TestClient }, i: number) =>
  app.client({ ip: `10.${Math.floor(i / 250) + 1}.${i % 250}.${(i % 7) + 1}` });

const signInAs = (client: TestClient, username: string, password: string) =>
  client.post('/api/v1/auth/sign-in', { workspace: 'acme', username, password });

function expectLockedOut(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.json()).toMatchObject({ type: '/api/problems/too-many-attempts', status: 429 });
  expect(response.json().detail).toMatch(/^Too many failed attempts\. Try again in \d+ (second|seconds|minutes)\.$/);
}

/** The password checks the server ran, as the database records them: one event per wrong password. */
async function wrongPasswordEvents(app: TestApp, userId: string): Promise<number> {
  const row = await app.database.db
    .selectFrom('activity_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', 'auth.sign_in_failed')
    .where('target_id', '=', userId)
    .where(sql<string>`details->>'reason'`, '=', 'wrong_password')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function lockoutEvents(app: TestApp) {
  return app.database.db
    .selectFrom('activity_events')
    .select(['target_type', 'target_id', 'actor_id', 'details'])
    .where('action', '=', 'auth.lockout_started')
    .orderBy('seq')
    .execute();
}

async function eventCount(app: TestApp): Promise<number> {
  const row = await app.database.db
    .selectFrom('activity_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('brute-force protection at sign-in', () => {
  it('gives 100 parallel wrong passwords against one user no more checks than the limit', async () => {
    const { t, owner } = await start();
    const memberId = await addMember(owner, 'mia@acme.test');
    const clients = Array.from({ length: 100 }, (_, i) => fromAddress(t, i));
    await Promise.all(clients.map((client) => client.get('/api/v1/auth/csrf')));
    const checksBefore = passwordWorkStats().evaluations;
    const eventsBefore = await eventCount(t);

    const responses = await Promise.all(clients.map((client) => signInAs(client, 'mia@acme.test', 'guess 1234567')));

    const checks = passwordWorkStats().evaluations - checksBefore;
    expect(checks).toBeLessThanOrEqual(5);
    expect(await wrongPasswordEvents(t, memberId)).toBe(checks);
    const wrong = responses.filter((r) => r.statusCode === 401);
    const refused = responses.filter((r) => r.statusCode === 429);
    expect(wrong).toHaveLength(checks);
    expect(refused).toHaveLength(100 - checks);
    for (const response of refused) expectLockedOut(response);
    // One lockout, one event for it; the 95 refusals wrote nothing.
    expect(await lockoutEvents(t)).toEqual([
      {
        target_type: 'user',
        target_id: memberId,
        actor_id: null,
        details: { scope: 'password', on: ['user'], seconds: 1 },
      },
    ]);
    expect((await eventCount(t)) - eventsBefore).toBe(checks + 1);

    // During the lockout even the right password is refused, unchecked.
    const member = t.client();
    const duringLockout = await signInAs(member, 'mia@acme.test', MEMBER_PASSWORD);
    expectLockedOut(duringLockout);
    expect(passwordWorkStats().evaluations - checksBefore).toBe(checks);

    // After it, the member signs in.
    await waitOutLockout(duringLockout);
    expect((await signInAs(member, 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });

  it('doubles each further lockout and says how long to wait', async () => {
    const { t } = await start();
    const attacker = t.client({ ip: '192.0.2.10' });
    const failFiveTimes = async () => {
      for (let i = 0; i < 5; i++) {
        expect((await signInAs(attacker, OWNER.email, `wrong password ${i}`)).statusCode).toBe(401);
      }
    };
    await failFiveTimes();
    const first = await signInAs(attacker, OWNER.email, 'wrong password 6');
    expectLockedOut(first);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.json().detail).toBe('Too many failed attempts. Try again in 1 second.');

    await waitOutLockout(first);
    await failFiveTimes();
    const second = await signInAs(attacker, OWNER.email, 'wrong password 6');
    expectLockedOut(second);
    expect(second.headers['retry-after']).toBe('2');
    expect((await lockoutEvents(t)).map((event) => (event.details as { seconds: number }).seconds)).toEqual([1, 2]);
  });

  it('locks an unknown username exactly like a known one, so a lockout reveals nothing', async () => {
    const { t } = await start({ firstLockoutMs: 60_000 });
    const lockOut = async (username: string) => {
      const client = t.client();
      for (let i = 0; i < 5; i++) expect((await signInAs(client, username, 'wrong password')).statusCode).toBe(401);
      return signInAs(client, username, 'wrong password');
    };
    const known = await lockOut(OWNER.email);
    const unknown = await lockOut('nobody@acme.test');
    const unknownWorkspace = await (async () => {
      const client = t.client();
      const attempt = () =>
        client.post('/api/v1/auth/sign-in', { workspace: 'nowhere', username: 'x', password: 'wrong password' });
      for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
      return attempt();
    })();
    for (const response of [known, unknown, unknownWorkspace]) {
      expectLockedOut(response);
      expect(response.headers['retry-after']).toBe('60');
      expect(response.json()).toEqual(known.json());
    }
    expect(known.json().detail).toBe('Too many failed attempts. Try again in 60 seconds.');
  });

  it('counts failures per client address across many usernames, and only failures', async () => {
    const { t, owner } = await start({ ...SHORT, ipFailures: 12 });
    await addMember(owner, 'mia@acme.test');
    const ip = '198.51.100.20';
    const office = t.client({ ip });
    // Sign-ins that succeed cost the address nothing.
    for (let i = 0; i < 15; i++)
      expect((await signInAs(office, 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 12; i++) {
      expect((await signInAs(t.client({ ip }), `user${i}@acme.test`, 'wrong password')).statusCode).toBe(401);
    }
    // The address is locked for every username, even with the right password…
    const addressLocked = await signInAs(t.client({ ip }), 'mia@acme.test', MEMBER_PASSWORD);
    expectLockedOut(addressLocked);
    // …while the same user from elsewhere is not.
    expect((await signInAs(t.client({ ip: '198.51.100.21' }), 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
    const [lockout] = await lockoutEvents(t);
    expect(lockout).toMatchObject({ target_type: null, details: { scope: 'password', on: ['address'], seconds: 1 } });
    // The address lock ends too.
    await waitOutLockout(addressLocked);
    expect((await signInAs(t.client({ ip }), 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });

  it('forgets a user’s failures after a successful sign-in', async () => {
    const { t } = await start();
    const client = t.client();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await signInAs(client, OWNER.email, 'wrong password')).statusCode).toBe(401);
      expect((await signInAs(client, OWNER.email, OWNER.password)).statusCode).toBe(200);
    }
    expect(await lockoutEvents(t)).toEqual([]);
  });

  it('keeps sign-in answered under a flood across many users: 401 or 429 with Retry-After, never 500', async () => {
    const { t } = await start();
    // A small argon2 cap, so that this flood reaches it on any machine.
    previousLimits = setPasswordWorkLimits({ concurrency: 1, queue: 2 });
    const clients = Array.from({ length: 150 }, (_, i) => fromAddress(t, i));
    await Promise.all(clients.map((client) => client.get('/api/v1/auth/csrf')));
    const responses = await Promise.all(clients.map((client, i) => signInAs(client, `user${i}@acme.test`, 'wrong')));
    const statuses = new Set(responses.map((r) => r.statusCode));
    expect([...statuses].every((status) => status === 401 || status === 429)).toBe(true);
    const busy = responses.filter((r) => r.statusCode === 429 && r.json().type === '/api/problems/server-busy');
    expect(busy.length).toBeGreaterThan(0);
    for (const response of responses.filter((r) => r.statusCode === 429)) {
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(busy[0]!.json()).toMatchObject({
      title: 'Too many sign-ins at once',
      detail: 'The server is checking too many passwords right now. Try again in a few seconds.',
    });
    setPasswordWorkLimits(previousLimits);
    expect((await signInAs(t.client(), OWNER.email, OWNER.password)).statusCode).toBe(200);
  });

  it('does not count an attempt refused for lack of argon2 capacity as a failure', async () => {
    const { t } = await start();
    const client = t.client();
    previousLimits = setPasswordWorkLimits({ concurrency: 0, queue: 0 });
    for (let i = 0; i < 8; i++) {
      const busy = await signInAs(client, OWNER.email, 'wrong password');
      expect(busy.statusCode).toBe(429);
      expect(busy.json().type).toBe('/api/problems/server-busy');
      expect(busy.headers['retry-after']).toBe('2');
    }
    setPasswordWorkLimits(previousLimits);
    // All five failures are still available: none of the eight refusals counted.
    for (let i = 0; i < 5; i++) expect((await signInAs(client, OWNER.email, 'wrong password')).statusCode).toBe(401);
    expectLockedOut(await signInAs(client, OWNER.email, OWNER.password));
  });

  it('keeps working with the counters in memory while Redis is unreachable', async () => {
    t = await createTestApp({ env: { GATEHOUSE_REDIS_URL: 'redis://127.0.0.1:1' }, attempts: { policy: SHORT } });
    await setUpWorkspace(t);
    const client = t.client();
    expect((await signInAs(client, OWNER.email, OWNER.password)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signInAs(client, OWNER.email, 'wrong password')).statusCode).toBe(401);
    expectLockedOut(await signInAs(client, OWNER.email, OWNER.password));
  });
});

const stores = [
  { store: 'the database', env: {} as Record<string, string>, skip: false },
  { store: 'Redis', env: { GATEHOUSE_REDIS_URL: redisUrl() ?? '' }, skip: !redisUrl() },
];

describe.each(stores)('across two server instances sharing one database, counters in $store', ({ env, skip }) => {
  it.skipIf(skip)('gives 100 parallel wrong passwords split across both no more checks than the limit', async () => {
    two = await createTwoInstances({ env, attempts: { policy: SHORT } });
    const owner = await setUpWorkspace(two.first);
    const memberId = await addMember(owner, 'mia@acme.test');
    const clients = Array.from({ length: 100 }, (_, i) => fromAddress(i % 2 === 0 ? two!.first : two!.second, i));
    await Promise.all(clients.map((client) => client.get('/api/v1/auth/csrf')));
    const checksBefore = passwordWorkStats().evaluations;

    const responses = await Promise.all(clients.map((client) => signInAs(client, 'mia@acme.test', 'guess 1234567')));

    const checks = passwordWorkStats().evaluations - checksBefore;
    expect(checks).toBeLessThanOrEqual(5);
    expect(await wrongPasswordEvents(two.first, memberId)).toBe(checks);
    expect(responses.filter((r) => r.statusCode === 401)).toHaveLength(checks);
    const refused = responses.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(100 - checks);
    for (const response of refused) expectLockedOut(response);
    // Both instances refused some: the lockout is shared, not per instance.
    const refusedBy = (index: number) => responses.filter((r, i) => i % 2 === index && r.statusCode === 429).length;
    expect(refusedBy(0)).toBeGreaterThan(0);
    expect(refusedBy(1)).toBeGreaterThan(0);
    expect(await lockoutEvents(two.first)).toHaveLength(1);

    // The lockout holds on the other instance, and ends on both.
    const onSecond = await signInAs(two.second.client(), 'mia@acme.test', MEMBER_PASSWORD);
    expectLockedOut(onSecond);
    await waitOutLockout(onSecond);
    expect((await signInAs(two.second.client(), 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });
});
