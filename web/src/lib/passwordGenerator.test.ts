import { describe, expect, it } from 'vitest';
import { CHARACTER_CLASSES, generatePassword, type RandomSource } from './passwordGenerator';

describe('the password generator', () => {
  it('gives the length asked for, from the classes chosen, with each of them present', () => {
    for (let run = 0; run < 50; run++) {
      const password = generatePassword({ length: 12, classes: ['lower', 'digits'] });
      expect(password).toHaveLength(12);
      expect(password).toMatch(/^[a-z0-9]+$/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
    }
    const all = generatePassword({ length: 40, classes: ['lower', 'upper', 'digits', 'symbols'] });
    for (const { characters } of Object.values(CHARACTER_CLASSES)) {
      expect([...characters].some((c) => all.includes(c))).toBe(true);
    }
  });

  it('draws again the random values that would favour some characters (no modulo bias)', () => {
    // Digits only: 10 characters. 2^32 is not a multiple of 10, so the values from 4294967290 up must be
    // drawn again; a plain modulo would map them to 0–5 and make those digits a little more likely.
    const values = [4_294_967_295, 4_294_967_290, 7];
    const random: RandomSource = (array) => {
      array[0] = values.shift() ?? 3;
      return array;
    };
    expect(generatePassword({ length: 8, classes: ['digits'] }, random)).toBe('73333333');
  });

  it('spreads the characters evenly', () => {
    const counts = new Map<string, number>();
    const password = generatePassword({ length: 128, classes: ['digits'] });
    for (let run = 0; run < 200; run++) {
      for (const c of generatePassword({ length: 128, classes: ['digits'] })) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(password).toMatch(/^\d{128}$/);
    // 25,600 digits: each of the ten about 2,560 times (the bounds are more than 7 standard deviations wide).
    for (const digit of '0123456789') expect(counts.get(digit)).toBeGreaterThan(2_200);
    for (const digit of '0123456789') expect(counts.get(digit)).toBeLessThan(2_920);
  });

  it('refuses a length out of range and no class at all', () => {
    expect(() => generatePassword({ length: 4, classes: ['lower'] })).toThrow(RangeError);
    expect(() => generatePassword({ length: 129, classes: ['lower'] })).toThrow(RangeError);
    expect(() => generatePassword({ length: 12, classes: [] })).toThrow(RangeError);
  });
});
