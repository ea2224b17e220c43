import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Crockford's base32 alphabet in lower case: digits and letters without i, l, o (read as 1 and 0) and u.
 * 32 symbols, so each character is one unbiased 5-bit draw and a 10-character code carries 50 bits.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;

export function generateRecoveryCodes(count = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const chars = [...randomBytes(CODE_LENGTH)].map((byte) => ALPHABET.charAt(byte & 31)).join('');
    codes.add(`${chars.slice(0, 5)}-${chars.slice(5)}`);
  }
  return [...codes];
}

/** Strips spaces and dashes and lowercases; i, l and o, which no code contains, are read as 1, 1 and 0. */
export function normalizeRecoveryCode(input: string): string {
  return input.replace(/[\s-]/g, '').toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
}

/**
 * `{salt}.{sha256(salt ‖ code)}`, base64url. A fast hash is enough: a code is 50 random bits, so even a
 * leaked hash costs ~2^49 guesses per code (the salt stops one pass from attacking every code at once),
 * and a code is single-use and only a second factor behind the argon2id-hashed password.
 */
export function hashRecoveryCode(code: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('base64url')}.${digest(salt, code).toString('base64url')}`;
}

export function recoveryCodeMatches(code: string, hash: string): boolean {
  const [salt, expected, ...rest] = hash.split('.');
  if (salt === undefined || expected === undefined || rest.length > 0) return false;
  const actual = digest(Buffer.from(salt, 'base64url'), code);
  const stored = Buffer.from(expected, 'base64url');
  return stored.length === actual.length && timingSafeEqual(stored, actual);
}

function digest(salt: Buffer, code: string): Buffer {
  return createHash('sha256').update(salt).update(normalizeRecoveryCode(code), 'utf8').digest();
}
