import type { QueryCreator } from 'kysely';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db/schema.js';

/** What the attempt limiter asks of a counter store (the stores themselves are in attempt-stores.ts). */

/** Adds statements to a statement of the caller's transaction, as data-modifying WITH queries. */
export type StatementFold = (query: QueryCreator<Database>) => QueryCreator<Database>;

/** Creates a counter store; the default keeps counters in this process only (see attempt-stores.ts). */
export type CounterStoreFactory = (options: {
  keyPrefix: string;
  points: number;
  durationS: number;
}) => RateLimiterAbstract;

export const memoryCounters: CounterStoreFactory = ({ keyPrefix, points, durationS }) =>
  new RateLimiterMemory({ keyPrefix, points, duration: durationS });

/** One counter of a batch: a limiter of the store and a key (the limiter adds its prefix). */
export interface BatchCounter {
  limiter: RateLimiterAbstract;
  key: string;
}

/**
 * Several counter updates of one attempt in one round trip (issue 15), offered by the shared stores (the
 * database: one statement; Redis: one script). A store offers it by setting `batch` on the limiters it
 * creates; the memory store does not, and is updated counter by counter.
 */
export interface CounterBatch {
  /**
   * Consumes one point on each counter, atomically: each counter's points taken in its window (above its
   * allowance when refused, as a single consume counts) and the milliseconds before it resets.
   */
  consume(counters: BatchCounter[]): Promise<Array<{ consumedPoints: number; msBeforeNext: number }>>;
  /** A success: deletes the `forget` counters and gives one point back to each `reward` counter. */
  settle(forget: BatchCounter[], reward: BatchCounter[]): Promise<void>;
  /** The same as WITH queries on a statement of the caller's transaction (the database store only). */
  settleInStatement?(forget: BatchCounter[], reward: BatchCounter[]): StatementFold;
}

export function batchOf(limiters: RateLimiterAbstract[]): CounterBatch | undefined {
  const batches = limiters.map((limiter) => (limiter as { batch?: CounterBatch }).batch);
  const first = batches[0];
  return first && batches.every((batch) => batch === first) ? first : undefined;
}
