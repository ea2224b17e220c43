import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeMatches,
} from './recovery-codes.js';

describe('recovery codes', () => {
  it('generates ten distinct codes as xxxxx-xxxxx from the look-alike-free alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it('normalizes case, spaces and dashes, and reads look-alike letters as digits', () => {
    expect(normalizeRecoveryCode('ABCDE-FGHJK')).toBe('abcdefghjk');
    expect(normalizeRecoveryCode(' abcde fghjk ')).toBe('abcdefghjk');
    expect(normalizeRecoveryCode('ABCDE-FGHJK')).toBe(normalizeRecoveryCode(' abcde fghjk '));
    expect(normalizeRecoveryCode('OIl01-23456')).toBe('0110123456');
  });

  it('matches a code however it is typed, and nothing else', () => {
    const [code] = generateRecoveryCodes(1) as [string];
    const hash = hashRecoveryCode(code);
    expect(hash).not.toContain(code.replace('-', ''));
    expect(recoveryCodeMatches(code, hash)).toBe(true);
    expect(recoveryCodeMatches(` ${code.toUpperCase().replace('-', ' ')} `, hash)).toBe(true);
    expect(recoveryCodeMatches('abcde-fghjk', hashRecoveryCode('ABCDE FGHJK'))).toBe(true);
    expect(recoveryCodeMatches('abcde-fghjm', hashRecoveryCode('abcde-fghjk'))).toBe(false);
    expect(recoveryCodeMatches('', hash)).toBe(false);
  });

  it('salts each hash, and treats a malformed hash as no match', () => {
    expect(hashRecoveryCode('abcde-fghjk')).not.toBe(hashRecoveryCode('abcde-fghjk'));
    for (const bad of ['', 'abc', 'a.b.c', '.']) expect(recoveryCodeMatches('abcde-fghjk', bad)).toBe(false);
  });
});
