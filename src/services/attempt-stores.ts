import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Database } from '../db/schema.js';
import type { BatchCounter, CounterBatch, CounterStoreFactory, StatementFold } from './attempt-counters.js';

/**
 * Where the attempt counters live (issue 4). With GATEHOUSE_REDIS_URL: Redis, shared by every server
 * instance, updated by one Lua script per attempt. Without it: the database's `rate_limits` table,
 * updated by one INSERT … ON CONFLICT per attempt, which is just as atomic and is shared by every
 * instance using the same database.
 */
export interface AttemptStore {
  readonly kind: 'redis' | 'database';
  readonly counters: CounterStoreFactory;
  close(): Promise<void>;
}

interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface OpenAttemptStoreOptions {
  redisUrl: string | undefined;
  pool: pg.Pool;
  db: Kysely<Database>;
  /** Namespaces the counters: Redis may be shared with other applications (or test runs). */
  keyPrefix: string;
  logger: StoreLogger;
  /** How often expired rows are deleted from `rate_limits` (database store). */
  sweepIntervalMs?: number;
  /** How long start-up waits for Redis before serving with the fallback counters. */
  redisReadyTimeoutMs?: number;
}

export async function openAttemptStore(options: OpenAttemptStoreOptions): Promise<AttemptStore> {
  if (options.redisUrl) return openRedisStore(options.redisUrl, options);
  return openDatabaseStore(options);
}

/** The limiter's full key of a batch counter, and its window in milliseconds. */
function fullKey({ limiter, key }: BatchCounter): string {
  return limiter.getKey(key);
}

/**
 * The database store's batch (issue 15): the counters of one attempt in one statement, in the layout and
 * with the expiry rules of rate-limiter-flexible's own upsert (`expire` in epoch milliseconds, a counter
 * past it starts over), so the library's limiters keep reading and blocking the same rows.
 */
export function databaseCounterBatch(db: Kysely<Database>): CounterBatch {
  const settleQueries = (forget: BatchCounter[], reward: BatchCounter[]): StatementFold => {
    const forgotten = forget.map(fullKey);
    const rewarded = reward.map(fullKey);
    return (query) => {
      let folded = query;
      if (forgotten.length > 0) {
        folded = folded.with('attempt_counters_forgotten', (q) =>
          q.deleteFrom('rate_limits').where('key', 'in', forgotten).returning('key'),
        ) as unknown as typeof query;
      }
      if (rewarded.length > 0) {
        folded = folded.with('attempt_counters_rewarded', (q) =>
          q
            .updateTable('rate_limits')
            .set({ points: sql`rate_limits.points - 1` })
            .where('key', 'in', rewarded)
            .where((eb) => eb.or([eb('expire', 'is', null), eb('expire', '>', String(Date.now()))]))
            .returning('key'),
        ) as unknown as typeof query;
      }
      return folded;
    };
  };
  return {
    async consume(counters) {
      const now = Date.now();
      const rows = await db
        .insertInto('rate_limits')
        .values(
          counters.map((counter) => ({
            key: fullKey(counter),
            points: 1,
            expire: String(now + counter.limiter.duration * 1000),
          })),
        )
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            points: sql`CASE WHEN rate_limits.expire <= ${now} THEN 1 ELSE rate_limits.points + 1 END`,
            expire: sql`CASE WHEN rate_limits.expire <= ${now} THEN excluded.expire ELSE rate_limits.expire END`,
          }),
        )
        .returning(['key', 'points', 'expire'])
        .execute();
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return counters.map((counter) => {
        const row = byKey.get(fullKey(counter))!;
        return {
          consumedPoints: row.points,
          msBeforeNext: row.expire === null ? -1 : Math.max(Number(row.expire) - now, 0),
        };
      });
    },
    async settle(forget, reward) {
      if (forget.length + reward.length === 0) return;
      // The WITH queries do the work; the statement around them reads nothing.
      await settleQueries(
        forget,
        reward,
      )(db)
        .selectNoFrom(sql<number>`1`.as('settled'))
        .execute();
    },
    settleInStatement: settleQueries,
  };
}

/** Counters in the `rate_limits` table (migration 0003 creates it in rate-limiter-flexible's layout). */
export function databaseCounters(pool: pg.Pool, keyPrefix: string, db?: Kysely<Database>): CounterStoreFactory {
  const batch = db ? databaseCounterBatch(db) : undefined;
  return ({ keyPrefix: name, points, durationS }) =>
    withBatch(
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        // The library's own clean-up timer would outlive a closed pool; the sweeper below replaces it.
        clearExpiredByTimeout: false,
        keyPrefix: `${keyPrefix}:${name}`,
        points,
        duration: durationS,
      }),
      batch,
    );
}

/** Marks a store's limiter as one its batch can update together with the others (see CounterBatch). */
function withBatch<L extends object>(limiter: L, batch: CounterBatch | undefined): L {
  return batch ? Object.assign(limiter, { batch }) : limiter;
}

/** Deletes counter rows that expired more than an hour ago, every `intervalMs`; stop() waits for a run. */
export function startExpiredCounterSweeper(
  db: Kysely<Database>,
  logger: StoreLogger,
  intervalMs: number,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = db
      .deleteFrom('rate_limits')
      .where('expire', '<', String(Date.now() - 60 * 60 * 1000))
      .execute()
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, 'Deleting expired attempt counters failed'),
      );
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

function openDatabaseStore(options: OpenAttemptStoreOptions): AttemptStore {
  const sweeper = startExpiredCounterSweeper(options.db, options.logger, options.sweepIntervalMs ?? 10 * 60 * 1000);
  return {
    kind: 'database',
    counters: databaseCounters(options.pool, options.keyPrefix, options.db),
    close: () => sweeper.stop(),
  };
}

/**
 * Counters in Redis. When Redis is unreachable, each counter falls back to an in-memory one in this
 * process (rate-limiter-flexible's insurance limiter) instead of failing: sign-in stays available and
 * guesses stay limited, per instance, until Redis is back. Commands fail fast (no offline queue, a
 * one-second command timeout) so an outage never makes sign-in hang.
 */
async function openRedisStore(url: string, options: OpenAttemptStoreOptions): Promise<AttemptStore> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let outage = false;
  redis.on('error', (error: Error) => {
    if (outage) return;
    outage = true;
    options.logger.warn(
      { err: { message: error.message } },
      'Redis is unreachable: attempt counters fall back to this process until it is back',
    );
  });
  redis.on('ready', () => {
    if (!outage) return;
    outage = false;
    options.logger.info({}, 'Redis is reachable again: attempt counters are shared again');
  });
  await waitUntilReady(redis, options.redisReadyTimeoutMs ?? 3000);

  const batch = redisCounterBatch(redis);
  const counters: CounterStoreFactory = ({ keyPrefix: name, points, durationS }) =>
    withBatch(
      new RateLimiterRedis({
        storeClient: redis,
        rejectIfRedisNotReady: true,
        keyPrefix: `${options.keyPrefix}:${name}`,
        points,
        duration: durationS,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: `${options.keyPrefix}:${name}`,
          points,
          duration: durationS,
        }),
      }),
      batch,
    );
  return {
    kind: 'redis',
    counters,
    close: async () => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/** Each key takes one point, as rate-limiter-flexible's own script does it; returns points and ms left, per key. */
const CONSUME_EACH = `
local answer = {}
for i, key in ipairs(KEYS) do
  local seconds = tonumber(ARGV[i])
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local consumed = redis.call('incrby', key, 1)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, seconds)
    ttl = 1000 * seconds
  end
  answer[2 * i - 1] = consumed
  answer[2 * i] = ttl
end
return answer`;

/** Deletes the first ARGV[1] keys; gives one point back to each of the others that still exists. */
const SETTLE = `
local forget = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if i <= forget then
    redis.call('del', key)
  elseif redis.call('exists', key) == 1 then
    redis.call('decrby', key, 1)
  end
end
return 1`;

/**
 * The Redis store's batch (issue 15): one script per attempt update, on the keys rate-limiter-flexible's
 * limiters use. While Redis is not ready it refuses at once, and the limiters' in-memory fallback counts.
 */
function redisCounterBatch(redis: Redis): CounterBatch {
  const ready = () => {
    if (redis.status !== 'ready') throw new Error('Redis connection is not ready');
  };
  return {
    async consume(counters) {
      ready();
      const keys = counters.map(fullKey);
      const answer = (await redis.eval(
        CONSUME_EACH,
        keys.length,
        ...keys,
        ...counters.map((counter) => String(counter.limiter.duration)),
      )) as number[];
      return counters.map((_, i) => ({
        consumedPoints: Number(answer[2 * i]),
        msBeforeNext: Number(answer[2 * i + 1]),
      }));
    },
    async settle(forget, reward) {
      ready();
      const keys = [...forget, ...reward].map(fullKey);
      if (keys.length > 0) await redis.eval(SETTLE, keys.length, ...keys, String(forget.length));
    },
  };
}

function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
