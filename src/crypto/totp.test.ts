import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  otpauthUri,
  parseTotpSecretInput,
  totpAt,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp.js';

const rfcSecret = Buffer.from('12345678901234567890', 'ascii');

describe('base32', () => {
  it('matches the RFC 4648 vectors, without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it('decodes case-insensitively, ignoring spaces and padding', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(base32Decode('MZXW6YQ=').toString()).toBe('foob');
  });

  it('round-trips random bytes', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(Math.random() * 256)));
      expect(base32Decode(base32Encode(bytes)).equals(bytes)).toBe(true);
    }
  });

  it('refuses characters outside the alphabet', () => {
    for (const bad of ['MZXW1', 'MZXW0', 'MZ-XW', 'MZXW8', 'é']) {
      expect(() => base32Decode(bad)).toThrow(/Not valid base32/);
    }
  });

  it('generates 160-bit secrets', () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(a);
  });
});

describe('HOTP and TOTP codes', () => {
  it('matches RFC 4226 Appendix D', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expected.forEach((code, counter) => expect(totpCode(rfcSecret, counter)).toBe(code));
  });

  it('matches the SHA-1 vectors of RFC 6238 Appendix B (8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) {
      expect(totpAt(rfcSecret, seconds * 1000, { digits: 8 })).toBe(code);
    }
  });

  it('uses 6 digits and 30-second steps by default', () => {
    expect(totpAt(rfcSecret, 59_000)).toBe('287082');
    expect(totpStep(59_999)).toBe(1);
    expect(totpStep(60_000)).toBe(2);
  });

  it('refuses a negative counter or an unsupported number of digits', () => {
    expect(() => totpCode(rfcSecret, -1)).toThrow(RangeError);
    expect(() => totpCode(rfcSecret, 1.5)).toThrow(RangeError);
    expect(() => totpCode(rfcSecret, 0, 5)).toThrow(RangeError);
    expect(() => totpCode(rfcSecret, 0, 9)).toThrow(RangeError);
  });
});

describe('verifyTotp', () => {
  // The middle of a step, so that ±1 step stays ±1 step.
  const now = 1111111109_000 + 15_000;
  const step = totpStep(now);
  const codeAt = (offset: number) => totpCode(rfcSecret, step + offset);

  it('accepts the current step and one step either side, returning the step', () => {
    for (const offset of [-1, 0, 1]) {
      expect(verifyTotp(rfcSecret, codeAt(offset), { timeMs: now, lastUsedStep: null })).toEqual({
        ok: true,
        step: step + offset,
      });
    }
  });

  it('refuses codes two steps away, or any step outside a narrower window', () => {
    for (const offset of [-2, 2]) {
      expect(verifyTotp(rfcSecret, codeAt(offset), { timeMs: now, lastUsedStep: null })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
    expect(verifyTotp(rfcSecret, codeAt(1), { timeMs: now, lastUsedStep: null, skewSteps: 0 })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyTotp(rfcSecret, '000000', { timeMs: now, lastUsedStep: null })).toMatchObject({ ok: false });
  });

  it('accepts a code once only, and no older code after it', () => {
    const first = verifyTotp(rfcSecret, codeAt(0), { timeMs: now, lastUsedStep: null });
    expect(first).toEqual({ ok: true, step });
    const lastUsedStep = step;
    expect(verifyTotp(rfcSecret, codeAt(0), { timeMs: now, lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(rfcSecret, codeAt(-1), { timeMs: now, lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(rfcSecret, codeAt(1), { timeMs: now, lastUsedStep })).toEqual({ ok: true, step: step + 1 });
    expect(verifyTotp(rfcSecret, codeAt(1), { timeMs: now, lastUsedStep: step + 1 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('refuses anything but six digits as a format error', () => {
    for (const bad of ['', '12345', '1234567', '12a456', ' 123456', '123 456', '１２３４５６']) {
      expect(verifyTotp(rfcSecret, bad, { timeMs: now, lastUsedStep: null })).toEqual({ ok: false, reason: 'format' });
    }
  });
});

describe('otpauth key URIs', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('builds an encoded URI that parses back to the same key', () => {
    const uri = otpauthUri({ secret: secret.toLowerCase(), accountName: 'ana+mfa@example.com', issuer: 'Acme & Co' });
    expect(uri).toBe(
      'otpauth://totp/Acme%20%26%20Co:ana%2Bmfa%40example.com' +
        `?secret=${secret}&issuer=Acme%20%26%20Co&algorithm=SHA1&digits=6&period=30`,
    );
    const url = new URL(uri);
    expect(url.searchParams.get('issuer')).toBe('Acme & Co');
    expect(parseTotpSecretInput(uri).equals(base32Decode(secret))).toBe(true);
  });

  it('refuses a colon in the label and a bad secret', () => {
    expect(() => otpauthUri({ secret, accountName: 'a:b', issuer: 'Acme' })).toThrow(/colon/);
    expect(() => otpauthUri({ secret, accountName: 'ana', issuer: 'Acme: EU' })).toThrow(/colon/);
    expect(() => otpauthUri({ secret: 'not base32!', accountName: 'ana', issuer: 'Acme' })).toThrow(/base32/);
    expect(() => otpauthUri({ secret: '', accountName: 'ana', issuer: 'Acme' })).toThrow(/empty/);
  });

  it('accepts a plain base32 key, as typed', () => {
    expect(parseTotpSecretInput('  jbsw y3dp ehpk 3pxp  ').equals(base32Decode('JBSWY3DPEHPK3PXP'))).toBe(true);
  });

  it('accepts URIs from other issuers with explicit or omitted defaults', () => {
    const key = base32Decode(secret);
    for (const uri of [
      `otpauth://totp/Example:alice@google.com?secret=${secret}&issuer=Example`,
      `otpauth://TOTP/alice?secret=${secret.toLowerCase()}&algorithm=sha1&digits=6&period=30`,
      `otpauth://totp?secret=${secret}`,
    ]) {
      expect(parseTotpSecretInput(uri).equals(key)).toBe(true);
    }
  });

  it('refuses what cannot be used, saying why', () => {
    const refusals: [string, RegExp][] = [
      [`otpauth://hotp/Acme:ana?secret=${secret}&counter=0`, /HOTP/],
      [`otpauth://totp/Acme:ana?secret=${secret}&algorithm=SHA256`, /SHA1.*SHA256/],
      [`otpauth://totp/Acme:ana?secret=${secret}&digits=8`, /6-digit/],
      [`otpauth://totp/Acme:ana?secret=${secret}&period=60`, /30-second/],
      ['otpauth://totp/Acme:ana?secret=JBSW1Y3DP0EHPK3PXP', /base32/],
      ['otpauth://totp/Acme:ana?issuer=Acme', /no secret/],
      [`otpauth-migration://offline?data=abc`, /otpauth:\/\/totp/],
      [`https://example.com/?secret=${secret}`, /otpauth:\/\/totp/],
      ['otpauth://', /otpauth:\/\/totp/],
      ['JBSWY3DP!', /base32/],
      ['JBSWY3DP', /too short/],
      ['   ', /empty/],
    ];
    for (const [input, message] of refusals) {
      expect(() => parseTotpSecretInput(input), input).toThrow(message);
    }
  });
});
