/**
 * Where the server reads the time for its own rules (TOTP steps, code and challenge expiry, session
 * time-outs): the system clock in production, a clock the tests can move forward instead of waiting.
 * Time kept by PostgreSQL (`now()`) and by the attempt counters' store stays real time.
 */
export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
