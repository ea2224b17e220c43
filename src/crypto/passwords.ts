import argon2 from 'argon2';
import { AppError } from '../domain/errors.js';

/**
 * argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane). The parameters are stored inside each hash
 * ($argon2id$v=19$m=…,t=…,p=…$…), so raising them later only needs `needsRehash` at the next sign-in.
 */
export const PASSWORD_HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** How long a client refused for lack of argon2 capacity is asked to wait. */
const BUSY_RETRY_AFTER_MS = 2000;

export class PasswordWorkBusyError extends AppError {
  constructor() {
    super(
      'server-busy',
      429,
      'Too many sign-ins at once',
      'The server is checking too many passwords right now. Try again in a few seconds.',
    );
    this.retryAfterMs = BUSY_RETRY_AFTER_MS;
  }
}

export interface PasswordWorkLimits {
  /** argon2 operations running at once (each holds a libuv thread and 19 MiB). */
  concurrency: number;
  /** Operations allowed to wait for a free slot; beyond that an operation is refused at once. */
  queue: number;
}

function defaultLimits(): PasswordWorkLimits {
  const threads = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  const concurrency = Number.isInteger(threads) && threads > 0 ? threads : 4;
  return { concurrency, queue: concurrency * 8 };
}

/**
 * A global cap on argon2 work (issue 4): at most `concurrency` operations run, at most `queue` wait, and
 * anything beyond is refused immediately, so a flood of sign-ins cannot pile up CPU and memory work and
 * the server keeps answering.
 */
class PasswordWorkGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private evaluations = 0;

  constructor(public limits: PasswordWorkLimits) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      if (this.waiting.length >= this.limits.queue) throw new PasswordWorkBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  countEvaluation(): void {
    this.evaluations++;
  }

  stats() {
    return { running: this.running, waiting: this.waiting.length, evaluations: this.evaluations };
  }
}

const gate = new PasswordWorkGate(defaultLimits());

/** Changes the argon2 cap (tests use a small one to reach the refusal path); returns the previous limits. */
export function setPasswordWorkLimits(limits: PasswordWorkLimits): PasswordWorkLimits {
  const previous = gate.limits;
  gate.limits = limits;
  return previous;
}

/** Running and waiting argon2 operations, and how many password checks ran in this process so far. */
export function passwordWorkStats(): { running: number; waiting: number; evaluations: number } {
  return gate.stats();
}

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => argon2.hash(password, PASSWORD_HASH_OPTIONS));
}

/** Throws PasswordWorkBusyError (429) when the argon2 cap is reached; a malformed hash is a mismatch. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return gate.run(async () => {
    gate.countEvaluation();
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

export function passwordNeedsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real check when there is no user to check against, so the response time
 * does not tell an attacker which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('gatehouse-dummy-password-for-timing').catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  await verifyPassword(await dummyHash, password);
  return false;
}
