import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from './logger.js';

function capture(): { logger: pino.Logger; lines: () => string } {
  let output = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return { logger: pino(loggerOptions('info'), sink), lines: () => output };
}

describe('log redaction', () => {
  it('never writes passwords, codes, device secrets or vault fields, wherever they sit in a log object', () => {
    const { logger, lines } = capture();
    const secrets = {
      password: 'account password 1',
      newPassword: 'a new password 2',
      totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      code: '287082',
      recoveryCode: 'abcde-fghjk',
      deviceSecret: 'device-secret-token',
      username: 'acme.official',
      notes: 'recovery email: social@acme.test',
      value: 'revealed value',
      token: 'session token',
    };
    logger.info({ body: secrets }, 'something happened');
    const written = lines();
    expect(written).toContain('something happened');
    for (const secret of Object.values(secrets)) expect(written).not.toContain(secret);
    expect(written).toContain('[redacted]');
  });
});

describe('redactUrl', () => {
  const token = 'yXXu9UZxKjCsIt_pJerHxxr1-QTkODa3AWZPPZLxOS4';

  it.each([
    [`/api/v1/invitations/by-token/${token}`, '/api/v1/invitations/by-token/[redacted]'],
    [`/w/acme?invitation=${token}`, '/w/acme?invitation=[redacted]'],
    ['/api/v1/oidc/callback?code=abc&state=def', '/api/v1/oidc/callback?code=[redacted]&state=[redacted]'],
    [
      '/x?id_token=a&reset_token=b&apiKey=c&X-Amz-Signature=d',
      '/x?id_token=[redacted]&reset_token=[redacted]&apiKey=[redacted]&X-Amz-Signature=[redacted]',
    ],
    ['/x?Password=hunter2&page=2', '/x?Password=[redacted]&page=2'],
    // An unknown parameter or path holding something random-looking is redacted too.
    [`/anything/${token}/more?ref=${token}`, '/anything/[redacted]/more?ref=[redacted]'],
    [`/x?${token}`, '/x?[redacted]'],
    // A token after a marker is redacted even when it is short or lower case.
    ['/reset-password/abc', '/reset-password/[redacted]'],
    // Percent-encoded names are recognised.
    ['/x?%74oken=abc', '/x?%74oken=[redacted]'],
  ])('%s → %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('keeps what is not a secret readable: slugs, UUIDs, words, harmless parameters', () => {
    for (const url of [
      '/w/acme-corporation-international-group/sign-in',
      '/api/v1/accounts/0b5e7c8a-6f3d-4e2a-9c1b-7d8e9f0a1b2c/totp-code',
      '/api/v1/activity?limit=50&before=2026-12-01T10:00:00.000Z',
      '/api/v1/devices/current/verify',
      '/assets/index-Bx3kD9aQ.js',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
