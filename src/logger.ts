import type { LoggerOptions } from 'pino';

/**
 * Structured JSON logs. Request bodies are never logged; these paths are redacted wherever they appear
 * so a secret that reaches a log line by accident still does not land on disk.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers["x-gatehouse-device"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.temporaryPassword',
  '*.token',
  '*.secret',
  '*.totpSecret',
  '*.masterKey',
  '*.password_hash',
  // Second factors, device secrets and the vault's fields.
  '*.code',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.deviceSecret',
  '*.username',
  '*.notes',
  '*.value',
  '*.key',
  '*.sealed_body',
  '*.wrapped_key',
];

/** Path segments after which the next segment is a credential (`/invitations/by-token/{token}`). */
const TOKEN_PATH_MARKERS = new Set([
  'by-token',
  'token',
  'tokens',
  'reset-password',
  'password-reset',
  'verify',
  'join',
]);

/**
 * Query parameter names whose values are credentials: link tokens, an identity provider's code and
 * state, passwords, keys, signatures. A substring match on purpose: `invitation`, `id_token`,
 * `reset_token`, `apiKey` and `X-Amz-Signature` are all caught; a harmless parameter redacted by
 * mistake costs nothing.
 */
const SECRET_QUERY_NAME = /token|invit|code|pass|secret|state|nonce|key|sig|otp|auth|session|ticket|credential/i;

/**
 * Looks like a random token whatever its name: 20 or more URL-safe characters mixing upper case, lower
 * case and digits. Slugs (lower case), UUIDs (hex and dashes) and words do not match, so logs keep them.
 */
function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{20,}$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

const REDACTED = '[redacted]';

/**
 * A request URL as it may be logged: the segment after a token-bearing path segment, every query value
 * under a secret-sounding name, and anything else that looks like a random token are replaced by
 * `[redacted]`. The README promises that tokens are redacted; this is the rule that keeps the promise.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const segments = path.split('/');
  const redactedPath = segments
    .map((segment, index) =>
      (index > 0 && TOKEN_PATH_MARKERS.has(segments[index - 1]!.toLowerCase()) && segment !== '') ||
      looksLikeToken(segment)
        ? REDACTED
        : segment,
    )
    .join('/');
  if (queryStart < 0) return redactedPath;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return looksLikeToken(pair) ? REDACTED : pair;
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      return SECRET_QUERY_NAME.test(safeDecode(name)) || looksLikeToken(safeDecode(value))
        ? `${name}=${REDACTED}`
        : pair;
    })
    .join('&');
  return `${redactedPath}?${query}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
        ip: req.ip,
      }),
    },
  };
}
