import { afterEach, describe, expect, it } from 'vitest';
import {
  hashPassword,
  passwordWorkStats,
  PasswordWorkBusyError,
  setPasswordWorkLimits,
  verifyPassword,
  type PasswordWorkLimits,
} from './passwords.js';

describe('the argon2 cap', () => {
  let previous: PasswordWorkLimits | undefined;
  afterEach(() => {
    if (previous) setPasswordWorkLimits(previous);
  });

  it('runs a bounded number of checks, queues a bounded number, and refuses the rest at once', async () => {
    const hash = await hashPassword('the right password');
    previous = setPasswordWorkLimits({ concurrency: 2, queue: 3 });
    const before = passwordWorkStats().evaluations;
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => verifyPassword(hash, i === 0 ? 'the right password' : 'wrong')),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      const reason = r.reason as PasswordWorkBusyError;
      expect(reason).toBeInstanceOf(PasswordWorkBusyError);
      expect(reason.status).toBe(429);
      expect(reason.retryAfterMs).toBeGreaterThan(0);
    }
    expect(passwordWorkStats()).toEqual({ running: 0, waiting: 0, evaluations: before + 5 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('hands a freed slot to the waiting check, so the queue drains in order', async () => {
    const hash = await hashPassword('pw');
    previous = setPasswordWorkLimits({ concurrency: 1, queue: 10 });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        verifyPassword(hash, 'pw').then((ok) => {
          expect(ok).toBe(true);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(passwordWorkStats().running).toBe(0);
  });
});
