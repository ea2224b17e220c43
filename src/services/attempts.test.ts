import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/database.js';
import type { DatabaseHandle } from '../db/connect.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { openAttemptStore, type AttemptStore } from './attempt-stores.js';
import { recordActivityWith, recordEvent } from './activity.js';
import { WorkspaceKeyring } from './keyring.js';
import { memoryCounters, type CounterStoreFactory } from './attempt-counters.js';
import { InvitationsRateLimitedError, TooManyAttemptsError } from './attempt-errors.js';
import { addressKey } from './attempt-keys.js';
import { AttemptLimiter, type AttemptKeys } from './attempt-limiter.js';
import type { AttemptPolicy } from './attempt-policy.js';
import { withCountedAttempt } from './attempts.js';

const POLICY: AttemptPolicy = {
  userFailures: 3,
  ipFailures: 100,
  windowMs: 60_000,
  firstLockoutMs: 1000,
  maxLockoutMs: 4000,
  levelMemoryMs: 60_000,
  invitationsPerInviter: 3,
  invitationsPerPartner: 5,
  invitationWindowMs: 3_600_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusal(promise: Promise<unknown>): Promise<TooManyAttemptsError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(TooManyAttemptsError);
  return error as TooManyAttemptsError;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL?.trim() || undefined;

/** The same behaviour from every store: in memory, in the database (PGlite here) and in Redis. */
const stores: Array<{
  name: string;
  skip?: boolean;
  open(): Promise<{ counters: CounterStoreFactory; close(): Promise<void> }>;
}> = [
  { name: 'memory', open: async () => ({ counters: memoryCounters, close: async () => undefined }) },
  {
    name: 'database',
    open: async () => {
      const database: DatabaseHandle = await createTestDatabase();
      const store = await openAttemptStore({
        redisUrl: undefined,
        pool: database.pool,
        db: database.db,
        keyPrefix: 'test',
        logger: silent,
      });
      return { counters: store.counters, close: async () => (await store.close(), await database.close()) };
    },
  },
  {
    name: 'redis',
    skip: !redisUrl,
    open: async () => {
      const database: DatabaseHandle = await createTestDatabase();
      const store: AttemptStore = await openAttemptStore({
        redisUrl,
        pool: database.pool,
        db: database.db,
        keyPrefix: `gatehouse-test:${randomBytes(6).toString('hex')}`,
        logger: silent,
      });
      return { counters: store.counters, close: async () => (await store.close(), await database.close()) };
    },
  },
];

describe.each(stores)('AttemptLimiter with the $name store', ({ skip, open }) => {
  let opened: { counters: CounterStoreFactory; close(): Promise<void> } | undefined;
  let run = 0;
  /** A limiter of its own per test: a fresh key prefix in the shared store. */
  const limiter = (policy: Partial<AttemptPolicy> = {}) => {
    const prefix = `t${run++}`;
    const counters: CounterStoreFactory = (options) =>
      opened!.counters({ ...options, keyPrefix: `${prefix}-${options.keyPrefix}` });
    return new AttemptLimiter(counters, { ...POLICY, ...policy });
  };
  const alice: AttemptKeys = { user: 'ws:alice', ip: '192.0.2.1' };

  beforeAll(async () => {
    if (!skip) opened = await open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it.skipIf(skip)('refuses the attempt after the last allowed failure, before any check', async () => {
    const attempts = limiter();
    expect(await (await attempts.begin('password', alice)).failed()).toBeNull();
    expect(await (await attempts.begin('password', alice)).failed()).toBeNull();
    expect(await (await attempts.begin('password', alice)).failed()).toEqual({ lockoutMs: 1000, on: ['user'] });
    const refused = await refusal(attempts.begin('password', alice));
    expect(refused.status).toBe(429);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    // Other users and other scopes are not affected.
    await (await attempts.begin('password', { user: 'ws:bob', ip: alice.ip })).failed();
    await (await attempts.begin('second-factor', alice)).succeeded();
  });

  it.skipIf(skip)('gives parallel attempts no more checks than the limit, and starts one lockout', async () => {
    const attempts = limiter();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => attempts.begin('password', alice)));
    const granted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(granted).toHaveLength(3);
    expect(refused).toHaveLength(27);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(TooManyAttemptsError);
      // While the three are still being checked, the answer is the lockout they are about to start.
      expect((reason as TooManyAttemptsError).retryAfterMs).toBeLessThanOrEqual(1000);
    }
    const lockouts = (await Promise.all(granted.map((attempt) => attempt.failed()))).filter(Boolean);
    expect(lockouts).toEqual([{ lockoutMs: 1000, on: ['user'] }]);
    await refusal(attempts.begin('password', alice));
  });

  it.skipIf(skip)(
    'lets the user in again after the lockout, and doubles the next lockout',
    async () => {
      const attempts = limiter({ maxLockoutMs: 2000 });
      const failThrice = async () => {
        const lockouts = [];
        for (let i = 0; i < 3; i++) lockouts.push(await (await attempts.begin('password', alice)).failed());
        return lockouts.at(-1);
      };
      expect(await failThrice()).toEqual({ lockoutMs: 1000, on: ['user'] });
      await refusal(attempts.begin('password', alice));
      await sleep(1100);
      expect(await failThrice()).toEqual({ lockoutMs: 2000, on: ['user'] });
      const refused = await refusal(attempts.begin('password', alice));
      expect(refused.retryAfterMs).toBeGreaterThan(1000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2000);
      await sleep(2100);
      // Capped at maxLockoutMs.
      expect(await failThrice()).toEqual({ lockoutMs: 2000, on: ['user'] });
    },
    20_000,
  );

  it.skipIf(skip)("forgets the user's failures and lockout level after a success", async () => {
    const attempts = limiter();
    await (await attempts.begin('password', alice)).failed();
    await (await attempts.begin('password', alice)).failed();
    await (await attempts.begin('password', alice)).succeeded();
    expect(await (await attempts.begin('password', alice)).failed()).toBeNull();
    expect(await (await attempts.begin('password', alice)).failed()).toBeNull();
    expect(await (await attempts.begin('password', alice)).failed()).toEqual({ lockoutMs: 1000, on: ['user'] });
    await sleep(1100);
    await (await attempts.begin('password', alice)).succeeded();
    // The level was forgotten too: the next lockout is the first again.
    for (let i = 0; i < 2; i++) await (await attempts.begin('password', alice)).failed();
    expect(await (await attempts.begin('password', alice)).failed()).toEqual({ lockoutMs: 1000, on: ['user'] });
  });

  it.skipIf(skip)('counts failures per address across users, and only failures', async () => {
    const attempts = limiter({ ipFailures: 8 });
    const ip = '198.51.100.7';
    // Successes from the address cost it nothing.
    for (let i = 0; i < 20; i++) await (await attempts.begin('password', { user: `ws:ok${i}`, ip })).succeeded();
    const lockouts = [];
    for (let i = 0; i < 8; i++)
      lockouts.push(await (await attempts.begin('password', { user: `ws:u${i}`, ip })).failed());
    expect(lockouts.slice(0, 7)).toEqual(Array(7).fill(null));
    expect(lockouts[7]).toEqual({ lockoutMs: 1000, on: ['ip'] });
    await refusal(attempts.begin('password', { user: 'ws:someone-else', ip }));
    // Another address is not affected.
    await (await attempts.begin('password', { user: 'ws:someone-else', ip: '198.51.100.8' })).failed();
  });

  it.skipIf(skip)('does not charge the address for attempts the user lockout refused', async () => {
    const attempts = limiter({ ipFailures: 8 });
    const ip = '203.0.113.9';
    for (let i = 0; i < 3; i++) await (await attempts.begin('password', { user: 'ws:target', ip })).failed();
    // Far more refused attempts on the locked user than the address allows failures…
    for (let i = 0; i < 20; i++) await refusal(attempts.begin('password', { user: 'ws:target', ip }));
    // …and the address still has its other five.
    for (let i = 0; i < 4; i++) {
      expect(await (await attempts.begin('password', { user: `ws:other${i}`, ip })).failed()).toBeNull();
    }
    expect(await (await attempts.begin('password', { user: 'ws:last', ip })).failed()).toEqual({
      lockoutMs: 1000,
      on: ['ip'],
    });
  });

  it.skipIf(skip)('gives an abandoned attempt back, and settles each attempt once', async () => {
    const attempts = limiter();
    for (let i = 0; i < 10; i++) await (await attempts.begin('password', alice)).abandoned();
    const attempt = await attempts.begin('password', alice);
    expect(await attempt.failed()).toBeNull();
    expect(await attempt.failed()).toBeNull();
    await attempt.succeeded();
    expect(await (await attempts.begin('password', alice)).failed()).toBeNull();
    expect(await (await attempts.begin('password', alice)).failed()).toEqual({ lockoutMs: 1000, on: ['user'] });
  });

  it.skipIf(skip)(
    'starts one lockout even when a point given back lets a second attempt take the last one',
    async () => {
      const attempts = limiter();
      const first = await attempts.begin('password', alice);
      const second = await attempts.begin('password', alice);
      const third = await attempts.begin('password', alice); // takes the last point
      await second.abandoned(); // gives one back while the third is still being checked
      const fourth = await attempts.begin('password', alice); // takes the last point again
      const lockouts = await Promise.all([first.failed(), third.failed(), fourth.failed()]);
      expect(lockouts.filter(Boolean)).toEqual([{ lockoutMs: 1000, on: ['user'] }]);
      await refusal(attempts.begin('password', alice));
    },
  );

  it.skipIf(skip)('limits invitations per inviter and per partner, a refusal taking nothing', async () => {
    const attempts = limiter();
    const refusedWith = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(InvitationsRateLimitedError);
      const refusal = error as InvitationsRateLimitedError;
      expect(refusal.status).toBe(429);
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.retryAfterMs).toBeLessThanOrEqual(3_600_000);
      return refusal.message;
    };
    for (let n = 0; n < 3; n++) await attempts.reserveInvitation({ inviterId: 'ann', partnerId: 'p1' });
    expect(await refusedWith(attempts.reserveInvitation({ inviterId: 'ann', partnerId: 'p1' }))).toMatch(
      /^You have sent 3 invitations within 60 minutes/,
    );
    // Ann's refusal took nothing from the partner: two more from someone else fill it.
    await attempts.reserveInvitation({ inviterId: 'bob', partnerId: 'p1' });
    await attempts.reserveInvitation({ inviterId: 'bob', partnerId: 'p1' });
    expect(await refusedWith(attempts.reserveInvitation({ inviterId: 'bob', partnerId: 'p1' }))).toMatch(
      /^The guests of this partner were sent 5 invitations/,
    );
    // …and the partner's refusal took nothing from Bob: his third goes to another partner.
    await attempts.reserveInvitation({ inviterId: 'bob', partnerId: 'p2' });
    await refusedWith(attempts.reserveInvitation({ inviterId: 'bob', partnerId: null }));
  });

  it.skipIf(skip)('gives the allowance back when the invitation was not sent', async () => {
    const attempts = limiter({ invitationsPerInviter: 1 });
    const keys = { inviterId: 'ann', partnerId: 'p1' };
    await expect(
      attempts.withinInvitationLimits(keys, () => Promise.reject(new Error('the guest already exists'))),
    ).rejects.toThrow('the guest already exists');
    expect(await attempts.withinInvitationLimits(keys, async () => 'sent')).toBe('sent');
    await expect(attempts.withinInvitationLimits(keys, async () => 'sent')).rejects.toBeInstanceOf(
      InvitationsRateLimitedError,
    );
  });

  it.skipIf(skip)('lets no more parallel invitations through than the limit', async () => {
    const attempts = limiter({ invitationsPerInviter: 100, invitationsPerPartner: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => attempts.reserveInvitation({ inviterId: `i${n}`, partnerId: 'p1' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  });
});

describe('withCountedAttempt', () => {
  let database: DatabaseHandle;
  /** Each test records into a workspace of its own (the activity log is append-only). */
  let workspaceId = '';
  const context = { ip: '192.0.2.7', userAgent: null };
  const wrong = new Error('wrong code');
  const keys: AttemptKeys = { user: 'ws:carla', ip: context.ip };

  beforeAll(async () => {
    database = await createTestDatabase();
    recordActivityWith(database.db, new WorkspaceKeyring(randomBytes(32)));
  });
  afterAll(async () => {
    await database?.close();
  });

  /** One counted check against a fresh limiter's counters; `answer` decides how the check ends. */
  const counter = async () => {
    ({ id: workspaceId } = await database.db
      .insertInto('workspaces')
      .values({ slug: `counted-${randomBytes(4).toString('hex')}`, name: 'Counted', mode: 'local' })
      .returning('id')
      .executeTakeFirstOrThrow());
    const attempts = new AttemptLimiter(memoryCounters, POLICY);
    let checks = 0;
    const attempt = (answer: 'right' | 'wrong' | 'database down') =>
      withCountedAttempt(
        { unitOfWork: createUnitOfWork(database.db), attempts },
        'second-factor',
        keys,
        async () => {
          checks++;
          await Promise.resolve();
          if (answer === 'wrong') throw wrong;
          if (answer === 'database down') throw new Error('connection terminated');
          return 'passed';
        },
        {
          isWrongAnswer: (error) => error === wrong,
          lockoutEvent: { workspaceId, actorId: null, context, details: { note: 'test' } },
          onFailure: (tx, lockout) =>
            recordEvent(tx, {
              workspaceId,
              actorId: null,
              action: 'auth.second_factor_failed',
              context,
              details: { lockoutSeconds: lockout ? Math.ceil(lockout.lockoutMs / 1000) : null },
            }),
        },
      );
    return { attempt, checks: () => checks };
  };

  const events = async (action: string) =>
    (
      await database.db
        .selectFrom('activity_events')
        .select('details')
        .where('workspace_id', '=', workspaceId)
        .where('action', '=', action)
        .orderBy('seq')
        .execute()
    ).map((row) => (typeof row.details === 'string' ? (JSON.parse(row.details) as unknown) : row.details));

  it('gives the attempt back when the check never came to an answer', async () => {
    const { attempt, checks } = await counter();
    // Twice the 3 allowed failures: none of them counts, each check runs.
    for (let n = 0; n < 6; n++) await expect(attempt('database down')).rejects.toThrow('connection terminated');
    for (let n = 0; n < 3; n++) await expect(attempt('wrong')).rejects.toBe(wrong);
    expect(checks()).toBe(9);
    await expect(attempt('right')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect(checks()).toBe(9);
  });

  it('reserves before the check: parallel wrong answers get 3 checks, one lockout and one lockout event', async () => {
    const { attempt, checks } = await counter();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => attempt('wrong')));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : r.value));
    expect(checks()).toBe(3);
    expect(reasons.filter((reason) => reason === wrong)).toHaveLength(3);
    expect(reasons.filter((reason) => reason instanceof TooManyAttemptsError)).toHaveLength(9);
    expect(await events('auth.lockout_started')).toEqual([
      { scope: 'second-factor', on: ['user'], seconds: 1, note: 'test' },
    ]);
    const failures = await events('auth.second_factor_failed');
    expect(failures).toHaveLength(3);
    expect(failures.filter((details) => (details as { lockoutSeconds: unknown }).lockoutSeconds === 1)).toHaveLength(1);
    // Locked: a right answer is refused before its check runs.
    await expect(attempt('right')).rejects.toBeInstanceOf(TooManyAttemptsError);
    expect(checks()).toBe(3);
  });
});

describe('addressKey', () => {
  it('counts IPv4 addresses one by one and IPv6 addresses by their /64', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
