import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logger.js';

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
