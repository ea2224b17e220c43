import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../domain/errors.js';

/**
 * Brute-force protection (SPEC §2, issue 4): failed password, second-factor and device-code attempts are
 * counted per user and per client address, with growing lockouts. An attempt is *reserved* atomically
 * before the costly or secret check runs, so parallel attempts can never get more checks than the limit.
 */
export type AttemptScope = 'password' | 'second-factor' | 'device-code';

export interface AttemptKeys {
  /** The user (or, for an unknown username, the name tried): reset by a success. */
  user: string;
  /** The client address: not reset by a success, so one address cannot cycle through users. */
  ip: string | null;
}

export interface AttemptPolicy {
  /** Failures allowed per user key before a lockout. */
  userFailures: number;
  /** Failures allowed per client address before a lockout. */
  ipFailures: number;
  /** Failures are forgotten this long after the last one. */
  windowMs: number;
  /** The first lockout; each further one within `levelMemoryMs` doubles, up to `maxLockoutMs`. */
  firstLockoutMs: number;
  maxLockoutMs: number;
  levelMemoryMs: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  userFailures: 5,
  ipFailures: 50,
  windowMs: 15 * 60 * 1000,
  firstLockoutMs: 60 * 1000,
  maxLockoutMs: 60 * 60 * 1000,
  levelMemoryMs: 24 * 60 * 60 * 1000,
};

export class TooManyAttemptsError extends AppError {
  constructor(override readonly retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
    super('too-many-attempts', 429, 'Too many attempts', `Too many failed attempts. Try again in ${wait}.`);
  }
}

/** A reserved attempt: report how the check went. */
export interface Attempt {
  /** The check passed: the user's failures are forgotten. */
  succeeded(): Promise<void>;
  /** The check failed: returns the lockout it started, if this was the last allowed failure. */
  failed(): Promise<{ lockoutMs: number } | null>;
}

/** Creates a counter store; the default keeps counters in this process only. */
export type CounterStoreFactory = (options: {
  keyPrefix: string;
  points: number;
  durationS: number;
}) => RateLimiterAbstract;

export const memoryCounters: CounterStoreFactory = ({ keyPrefix, points, durationS }) =>
  new RateLimiterMemory({ keyPrefix, points, duration: durationS });

export class AttemptLimiter {
  private readonly counters = new Map<string, RateLimiterAbstract>();
  private readonly levels: RateLimiterAbstract;

  constructor(
    private readonly store: CounterStoreFactory = memoryCounters,
    private readonly policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY,
  ) {
    this.levels = store({ keyPrefix: 'lockout-level', points: 1_000_000, durationS: policy.levelMemoryMs / 1000 });
  }

  private limiter(scope: AttemptScope, kind: 'user' | 'ip'): RateLimiterAbstract {
    const name = `${scope}-${kind}`;
    let limiter = this.counters.get(name);
    if (!limiter) {
      const points = kind === 'user' ? this.policy.userFailures : this.policy.ipFailures;
      limiter = this.store({ keyPrefix: name, points, durationS: this.policy.windowMs / 1000 });
      this.counters.set(name, limiter);
    }
    return limiter;
  }

  /**
   * Reserves one attempt on the address, then on the user; throws TooManyAttemptsError (429) when either
   * is locked, before any check runs.
   */
  async begin(scope: AttemptScope, keys: AttemptKeys): Promise<Attempt> {
    const reserved: Array<{ limiter: RateLimiterAbstract; key: string; kind: 'user' | 'ip'; consumed: number }> = [];
    const entries: Array<['user' | 'ip', string]> = keys.ip
      ? [
          ['ip', keys.ip],
          ['user', keys.user],
        ]
      : [['user', keys.user]];
    for (const [kind, key] of entries) {
      const limiter = this.limiter(scope, kind);
      try {
        const result = await limiter.consume(key);
        reserved.push({ limiter, key, kind, consumed: result.consumedPoints });
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw new TooManyAttemptsError(rejection.msBeforeNext);
        throw rejection;
      }
    }
    return {
      succeeded: async () => {
        for (const entry of reserved) if (entry.kind === 'user') await entry.limiter.delete(entry.key);
      },
      failed: async () => {
        let lockoutMs = 0;
        for (const entry of reserved) {
          if (entry.consumed !== entry.limiter.points) continue;
          const level = await this.levels.penalty(`${entry.limiter.keyPrefix}:${entry.key}`, 1);
          const ms = Math.min(this.policy.firstLockoutMs * 2 ** (level.consumedPoints - 1), this.policy.maxLockoutMs);
          await entry.limiter.block(entry.key, Math.ceil(ms / 1000));
          lockoutMs = Math.max(lockoutMs, ms);
        }
        return lockoutMs > 0 ? { lockoutMs } : null;
      },
    };
  }
}
