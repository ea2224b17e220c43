import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Database } from '../db/schema.js';
import type { CounterStoreFactory } from './attempts.js';

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

/** Counters in the `rate_limits` table (migration 0003 creates it in rate-limiter-flexible's layout). */
export function databaseCounters(pool: pg.Pool, keyPrefix: string): CounterStoreFactory {
  return ({ keyPrefix: name, points, durationS }) =>
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
    });
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
  return { kind: 'database', counters: databaseCounters(options.pool, options.keyPrefix), close: () => sweeper.stop() };
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

  const counters: CounterStoreFactory = ({ keyPrefix: name, points, durationS }) =>
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
    });
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
