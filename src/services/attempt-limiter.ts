import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  batchOf,
  memoryCounters,
  type CounterBatch,
  type CounterStoreFactory,
  type StatementFold,
} from './attempt-counters.js';
import { InvitationsRateLimitedError, RateLimitedError, TooManyAttemptsError } from './attempt-errors.js';
import { addressKey, storeKey } from './attempt-keys.js';
import { DEFAULT_ATTEMPT_POLICY, type AttemptPolicy } from './attempt-policy.js';
/**
 * Brute-force protection (SPEC §2, issue 4): failed password, second-factor and device-code attempts are
 * counted per user and per client address, with growing lockouts. An attempt is *reserved* atomically
 * before the costly or secret check runs, so parallel attempts can never get more checks than the limit.
 *
 * How the counting works: `begin` consumes one point on the address counter, then one on the user
 * counter (an atomic increment in the store). A counter past its allowance refuses the attempt. The
 * reservation that took the last point is the only one that can start a lockout, so parallel failures
 * cannot start two. A success forgets the user's failures (and lockout level) and gives the address its
 * point back: only failures count against an address.
 */
export type AttemptScope = 'password' | 'second-factor' | 'device-code';

export type AttemptKind = 'user' | 'ip';

export interface AttemptKeys {
  /** The user (or, for an unknown username, the name tried): reset by a success. */
  user: string;
  /** The client address: not reset by a success, so one address cannot cycle through users. */
  ip: string | null;
}

/** An invitation's place within the limits: give it back when the invitation was not sent after all. */
export interface InvitationAllowance {
  giveBack(): Promise<void>;
}

/** A lockout that a failure started: its length, and whether it holds the user, the address or both. */
export interface Lockout {
  lockoutMs: number;
  on: AttemptKind[];
}

/** A reserved attempt: report how the check went, once. Later calls do nothing. */
export interface Attempt {
  /** The check passed: the user's failures are forgotten and the address gets its point back. */
  succeeded(): Promise<void>;
  /**
   * The same success as WITH queries for a statement the caller runs in its own transaction, when the
   * store can (the database store): the counters are reset exactly when that transaction commits, at no
   * extra round trip. Undefined when it cannot (call `succeeded`). Should that transaction fail, call
   * `succeeded` after all: the check did pass.
   */
  successInStatement(): StatementFold | undefined;
  /** The check failed: returns the lockout it started, if this was the last allowed failure. */
  failed(): Promise<Lockout | null>;
  /** The check never ran (the server was too busy, or an error came first): the reservation is given back. */
  abandoned(): Promise<void>;
}

interface Reservation {
  kind: AttemptKind;
  limiter: RateLimiterAbstract;
  key: string;
  consumed: number;
}

export class AttemptLimiter {
  private readonly counters = new Map<string, RateLimiterAbstract>();
  /** How many lockouts each key had within the level memory: decides the next lockout's length. */
  private readonly levels: RateLimiterAbstract;
  /** One point per lockout, living as long as the lockout: whoever takes it is the one that starts it. */
  private readonly starts: RateLimiterAbstract;

  constructor(
    private readonly store: CounterStoreFactory = memoryCounters,
    readonly policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
  ) {
    this.levels = store({
      keyPrefix: 'lockout-level',
      points: 1_000_000,
      durationS: Math.ceil(policy.levelMemoryMs / 1000),
    });
    this.starts = store({ keyPrefix: 'lockout-start', points: 1, durationS: Math.ceil(policy.firstLockoutMs / 1000) });
  }

  private limiter(scope: AttemptScope, kind: AttemptKind): RateLimiterAbstract {
    const name = `${scope}-${kind}`;
    let limiter = this.counters.get(name);
    if (!limiter) {
      const points = kind === 'user' ? this.policy.userFailures : this.policy.ipFailures;
      limiter = this.store({ keyPrefix: name, points, durationS: Math.ceil(this.policy.windowMs / 1000) });
      this.counters.set(name, limiter);
    }
    return limiter;
  }

  private invitationLimiter(on: 'inviter' | 'partner'): RateLimiterAbstract {
    const name = `invitations-${on}`;
    let limiter = this.counters.get(name);
    if (!limiter) {
      const points = on === 'inviter' ? this.policy.invitationsPerInviter : this.policy.invitationsPerPartner;
      limiter = this.store({ keyPrefix: name, points, durationS: Math.ceil(this.policy.invitationWindowMs / 1000) });
      this.counters.set(name, limiter);
    }
    return limiter;
  }

  /**
   * Takes one invitation from the inviter's allowance and, for an existing partner, one from the
   * partner's, atomically in the shared store (so the limits hold across instances and under parallel
   * requests); throws InvitationsRateLimitedError (429) when either is spent, taking nothing.
   */
  async reserveInvitation(keys: { inviterId: string; partnerId: string | null }): Promise<InvitationAllowance> {
    const wanted: Array<{ on: 'inviter' | 'partner'; key: string }> = [
      { on: 'inviter', key: storeKey(keys.inviterId) },
    ];
    if (keys.partnerId) wanted.push({ on: 'partner', key: storeKey(keys.partnerId) });
    const taken: Array<{ limiter: RateLimiterAbstract; key: string }> = [];
    const giveBack = async () => {
      for (const entry of taken.splice(0)) await entry.limiter.reward(entry.key, 1);
    };
    for (const { on, key } of wanted) {
      const limiter = this.invitationLimiter(on);
      try {
        await limiter.consume(key);
        taken.push({ limiter, key });
      } catch (rejection) {
        await giveBack();
        if (rejection instanceof RateLimiterRes) {
          throw new InvitationsRateLimitedError(rejection.msBeforeNext, on, this.policy);
        }
        throw rejection;
      }
    }
    return { giveBack };
  }

  /**
   * Takes one request from a plain allowance (`points` per `windowMs` per key), in the shared store;
   * throws RateLimitedError (429) when it is spent. For calls that are cheap but must not be hammered,
   * such as starting to connect a client app or looking up a user code.
   */
  async takeAllowance(name: string, key: string, points: number, windowMs: number): Promise<void> {
    const counter = `allowance-${name}`;
    let limiter = this.counters.get(counter);
    if (!limiter) {
      limiter = this.store({ keyPrefix: counter, points, durationS: Math.ceil(windowMs / 1000) });
      this.counters.set(counter, limiter);
    }
    try {
      await limiter.consume(storeKey(key));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(rejection.msBeforeNext);
      throw rejection;
    }
  }

  /** Runs `send` (an invitation or a resend) within the limits; a failed `send` takes nothing. */
  async withinInvitationLimits<T>(
    keys: { inviterId: string; partnerId: string | null },
    send: () => Promise<T>,
  ): Promise<T> {
    const allowance = await this.reserveInvitation(keys);
    try {
      return await send();
    } catch (error) {
      await allowance.giveBack();
      throw error;
    }
  }

  /** The lockout for the n-th lockout (1-based) within the level memory. */
  private lockoutMs(level: number): number {
    return Math.min(this.policy.firstLockoutMs * 2 ** Math.max(0, level - 1), this.policy.maxLockoutMs);
  }

  private levelKey(limiter: RateLimiterAbstract, key: string): string {
    return `${limiter.keyPrefix}:${key}`;
  }

  /**
   * How long a refused client should wait. A locked key's counter expires with its lockout, so that
   * expiry is the answer. A key whose allowance is only taken by attempts still being checked expires
   * with its window instead (up to 15 minutes away); those attempts are about to start the next lockout,
   * so that lockout's length is the better answer.
   */
  private async retryAfterMs(limiter: RateLimiterAbstract, key: string, msBeforeNext: number): Promise<number> {
    const level = await this.levels.get(this.levelKey(limiter, key)).catch(() => null);
    const next = this.lockoutMs((level?.consumedPoints ?? 0) + 1);
    return msBeforeNext > 0 ? Math.min(msBeforeNext, next) : next;
  }

  /**
   * Reserves one attempt on the address, then on the user; throws TooManyAttemptsError (429) when either
   * is locked, before any check runs. A refusal by the user counter gives the address its point back.
   */
  async begin(scope: AttemptScope, keys: AttemptKeys): Promise<Attempt> {
    const wanted: Array<{ kind: AttemptKind; key: string }> = [];
    if (keys.ip) wanted.push({ kind: 'ip', key: storeKey(`${addressKey(keys.ip)}`) });
    wanted.push({ kind: 'user', key: storeKey(keys.user) });
    const counters = wanted.map(({ kind, key }) => ({ kind, key, limiter: this.limiter(scope, kind) }));
    const batch = batchOf([...counters.map((counter) => counter.limiter), this.levels, this.starts]);
    const reserved = batch ? await this.reserveInOne(batch, counters) : await this.reserveOneByOne(counters);
    return this.reservedAttempt(reserved, batch);
  }

  /** The reservation in one round trip: every counter takes its point; any refusal gives the others back. */
  private async reserveInOne(
    batch: CounterBatch,
    counters: Array<Omit<Reservation, 'consumed'>>,
  ): Promise<Reservation[]> {
    let results: Array<{ consumedPoints: number; msBeforeNext: number }>;
    try {
      results = await batch.consume(counters);
    } catch {
      // The store cannot answer in one go (Redis is down): counter by counter, with its fallback.
      return this.reserveOneByOne(counters);
    }
    const reserved = counters.map((counter, i) => ({ ...counter, consumed: results[i]!.consumedPoints }));
    const refused = reserved.findIndex((entry) => entry.consumed > entry.limiter.points);
    if (refused < 0) return reserved;
    await this.giveBack(reserved.filter((entry) => entry.consumed <= entry.limiter.points));
    const { limiter, key } = reserved[refused]!;
    throw new TooManyAttemptsError(await this.retryAfterMs(limiter, key, results[refused]!.msBeforeNext));
  }

  private async reserveOneByOne(counters: Array<Omit<Reservation, 'consumed'>>): Promise<Reservation[]> {
    const reserved: Reservation[] = [];
    for (const { kind, key, limiter } of counters) {
      try {
        const result = await limiter.consume(key);
        reserved.push({ kind, limiter, key, consumed: result.consumedPoints });
      } catch (rejection) {
        await this.giveBack(reserved);
        if (rejection instanceof RateLimiterRes) {
          throw new TooManyAttemptsError(await this.retryAfterMs(limiter, key, rejection.msBeforeNext));
        }
        throw rejection;
      }
    }
    return reserved;
  }

  private reservedAttempt(reserved: Reservation[], batch: CounterBatch | undefined): Attempt {
    let state: 'open' | 'in-statement' | 'settled' = 'open';
    const settle = (allowed: Array<typeof state> = ['open']) => {
      const first = allowed.includes(state);
      if (first) state = 'settled';
      return first;
    };
    // A success forgets the user's counter, lockout level and lockout start, and gives the address its point.
    const forget = reserved
      .filter((entry) => entry.kind === 'user')
      .flatMap((entry) => {
        const levelKey = this.levelKey(entry.limiter, entry.key);
        return [entry, { limiter: this.levels, key: levelKey }, { limiter: this.starts, key: levelKey }];
      });
    const reward = reserved.filter((entry) => entry.kind !== 'user');
    return {
      successInStatement: () => {
        if (state !== 'open' || !batch?.settleInStatement) return undefined;
        state = 'in-statement';
        return batch.settleInStatement(forget, reward);
      },
      succeeded: async () => {
        if (!settle(['open', 'in-statement'])) return;
        if (batch) {
          try {
            await batch.settle(forget, reward);
            return;
          } catch {
            // Counter by counter below, with the store's fallback.
          }
        }
        for (const entry of reserved) {
          if (entry.kind === 'user') {
            const levelKey = this.levelKey(entry.limiter, entry.key);
            await entry.limiter.delete(entry.key);
            await this.levels.delete(levelKey);
            await this.starts.delete(levelKey);
          } else {
            await entry.limiter.reward(entry.key, 1);
          }
        }
      },
      failed: async () => {
        if (!settle()) return null;
        const lockout: Lockout = { lockoutMs: 0, on: [] };
        for (const entry of reserved) {
          if (entry.consumed !== entry.limiter.points) continue;
          const ms = await this.startLockout(entry);
          if (ms === null) continue;
          lockout.lockoutMs = Math.max(lockout.lockoutMs, ms);
          lockout.on.push(entry.kind);
        }
        return lockout.on.length > 0 ? lockout : null;
      },
      abandoned: async () => {
        if (!settle()) return;
        await this.giveBack(reserved);
      },
    };
  }

  /**
   * Starts the lockout after the failure that took a key's last point. Counters are atomic, but points
   * given back (a success on the address, an abandoned attempt) can let a second reservation take the
   * last point while the first is still being checked; the start marker makes sure only one of them
   * starts a lockout, raises the level and reports it. Returns the lockout's length, or null.
   */
  private async startLockout(entry: Reservation): Promise<number | null> {
    const levelKey = this.levelKey(entry.limiter, entry.key);
    const previous = await this.levels.get(levelKey);
    const expectedMs = this.lockoutMs((previous?.consumedPoints ?? 0) + 1);
    try {
      await this.starts.consume(levelKey, 1, { customDuration: Math.ceil(expectedMs / 1000) });
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return null;
      throw rejection;
    }
    const level = await this.levels.penalty(levelKey, 1);
    const ms = this.lockoutMs(level.consumedPoints);
    await entry.limiter.block(entry.key, Math.ceil(ms / 1000));
    return ms;
  }

  private async giveBack(reserved: Reservation[]): Promise<void> {
    for (const entry of reserved) await entry.limiter.reward(entry.key, 1);
  }
}
