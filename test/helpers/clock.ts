import type { Clock } from '../../src/domain/clock.js';

/**
 * The clock every test app of this process reads: real time plus however far the tests moved it on.
 * Tests move it instead of waiting, e.g. to the next TOTP step (see freshCode in mfa.ts). It only ever
 * moves forward, and only by small steps: PostgreSQL's now() and the attempt counters keep real time.
 */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export const testClock = new TestClock();
