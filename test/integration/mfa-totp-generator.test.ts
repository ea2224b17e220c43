import { describe, expect, it } from 'vitest';
import { decodeBase32, hotp, totp } from '../helpers/mfa.js';

/** The tests type codes from their own RFC 6238 generator (test/helpers/mfa.ts); this checks it. */
describe("the tests' own TOTP generator", () => {
  // RFC 6238 Appendix B, the SHA-1 rows: the seed is the ASCII string "12345678901234567890", 8 digits.
  const seed = Buffer.from('12345678901234567890', 'ascii');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('matches RFC 6238 Appendix B at T = %i s', (seconds, expected) => {
    expect(totp(seed, seconds * 1000, 8)).toBe(expected);
  });

  it('decodes base32 keys as RFC 4648 does (with the spaces the key is shown with)', () => {
    // RFC 4648 §10 test vector: BASE32("foobar") = "MZXW6YTBOI======"
    expect(decodeBase32('MZXW 6YTB OI').toString('ascii')).toBe('foobar');
    // The RFC 4226 Appendix D first value, 6 digits, for the same seed.
    expect(hotp(seed, 0)).toBe('755224');
  });
});
