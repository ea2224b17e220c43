/**
 * Whether an error means "the database is away or the connection died", as opposed to a bug or a
 * constraint: such a request fails with 503 and may simply be retried, while the pool replaces the
 * connection. Covers node-postgres (PostgreSQL) errors; PGlite runs in-process and has no connections.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (matchesConnectionFault(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** SQLSTATEs that mean the connection or the server went away (class 08, and the 57P shutdowns). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
]);

/** Socket-level failures: refused, reset, unreachable, timed out, name lookup. */
const UNAVAILABLE_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres reports a lost or unusable connection with these messages (no code). */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
  /is not currently accepting connections/,
];

function matchesConnectionFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (UNAVAILABLE_SYSCALL_CODES.has(code)) return true;
  }
  if (error instanceof AggregateError && error.errors.some(matchesConnectionFault)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
