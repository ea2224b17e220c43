/**
 * Connecting a client app (SPEC §7a, issue 9) with the OAuth 2.0 device authorization grant (RFC 8628),
 * adapted: the client asks for a request, shows its short user code and opens /app/connect, where the
 * signed-in person approves it; meanwhile the client polls until it receives its session.
 */

/** A connect request (its device code and user code) lives this long (RFC 8628 `expires_in`). */
export const CONNECT_REQUEST_TTL_MS = 10 * 60 * 1000;
/** The polling interval a client starts with (RFC 8628 `interval`), in seconds… */
export const CONNECT_POLL_INTERVAL_S = 5;
/** …and how much each `slow_down` adds to it (RFC 8628 §3.5). */
export const CONNECT_SLOW_DOWN_STEP_S = 5;

/**
 * User codes: 8 letters from an alphabet without vowels (no words) nor look-alikes, shown as ABCD-EFGH
 * (RFC 8628 §6.1): 20^8 ≈ 2^34.6 codes, and lookups are rate limited per person.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A user code from `random(n)` (a uniform integer below n), formatted for people. */
export function newUserCode(random: (below: number) => number): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[random(USER_CODE_ALPHABET.length)];
  return formatUserCode(code);
}

export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A user code as typed: case, spaces and dashes do not matter (RFC 8628 §6.1). Null when it cannot be a
 * user code at all, so a typo says so without a lookup.
 */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const letter of code) if (!USER_CODE_ALPHABET.includes(letter)) return null;
  return code;
}

/** The RFC 8628 §3.5 error codes a polling client acts on. */
export type PollError = 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied' | 'invalid_grant';

export type ConnectRequestState = 'pending' | 'approved' | 'denied' | 'consumed';

export type PollOutcome = { ok: true } | { ok: false; error: PollError; intervalS: number };

/**
 * What one poll gets, from the request's state (RFC 8628 §3.5): a request that is used up or unknown is
 * an `invalid_grant`; one past its time is `expired_token`, whatever was decided; polling faster than the
 * interval is `slow_down`, and the interval grows by five seconds; then pending, denied or approved.
 */
export function pollOutcome(
  request: { status: ConnectRequestState; expiresAt: number; intervalS: number; lastPolledAt: number | null },
  now: number,
): PollOutcome {
  const intervalS = request.intervalS;
  if (request.status === 'consumed') return { ok: false, error: 'invalid_grant', intervalS };
  if (request.expiresAt <= now) return { ok: false, error: 'expired_token', intervalS };
  if (request.lastPolledAt !== null && now - request.lastPolledAt < intervalS * 1000) {
    return { ok: false, error: 'slow_down', intervalS: intervalS + CONNECT_SLOW_DOWN_STEP_S };
  }
  if (request.status === 'pending') return { ok: false, error: 'authorization_pending', intervalS };
  if (request.status === 'denied') return { ok: false, error: 'access_denied', intervalS };
  return { ok: true };
}
