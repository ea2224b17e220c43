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

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.replace(/([?&](?:token|code|password)=)[^&]*/gi, '$1[redacted]'),
        ip: req.ip,
      }),
    },
  };
}
