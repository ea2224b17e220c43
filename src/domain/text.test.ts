import { describe, expect, it } from 'vitest';
import { describeUnsafeCharacter, findUnsafeCharacter, neutraliseUnsafeCharacters } from './text.js';

describe('findUnsafeCharacter', () => {
  it.each([
    ['Laptop\u202Eexe.txt', 'U+202E', 'format'],
    ['a\u202Ab', 'U+202A', 'format'],
    ['a\u2066b\u2069', 'U+2066', 'format'],
    ['a\u200Fb', 'U+200F', 'format'],
    ['a\u200Bb', 'U+200B', 'format'],
    ['\uFEFFAcme', 'U+FEFF', 'format'],
    ['soft\u00ADhyphen', 'U+00AD', 'format'],
    ['tag\u{E0041}', 'U+E0041', 'format'],
    ['Laptop\u2028SECURITY NOTICE', 'U+2028', 'line-separator'],
    ['a\u2029b', 'U+2029', 'line-separator'],
    ['a\nb', 'U+000A', 'control'],
    ['a\tb', 'U+0009', 'control'],
    ['a\u0000b', 'U+0000', 'control'],
    ['a\u0085b', 'U+0085', 'control'],
    ['a\uD800b', 'U+D800', 'surrogate'],
  ])('refuses %j: %s (%s)', (text, codePoint, kind) => {
    expect(findUnsafeCharacter(text)).toMatchObject({ codePoint, kind });
  });

  it('reports where the character is', () => {
    expect(findUnsafeCharacter('ab\u202Ec')?.index).toBe(2);
    expect(findUnsafeCharacter('😀\u202E')?.index).toBe(2);
  });

  it.each([
    'Ada Lovelace',
    'Zoë Ångström-Ørsted',
    'محمد', // Arabic, right to left without any control character
    'שרה כהן',
    'میخواهم', // Persian with ZERO WIDTH NON-JOINER
    'क्‍ष', // Devanagari with ZERO WIDTH JOINER
    '👩‍💻 laptop', // an emoji ZWJ sequence
    '東京 オフィス',
    'Acme\u00A0Inc', // no-break space
  ])('accepts %j', (text) => {
    expect(findUnsafeCharacter(text)).toBeNull();
  });

  it('allows line feeds, carriage returns and tabs in multi-line text, but not the rest', () => {
    expect(findUnsafeCharacter('Terms\r\n\n\tSection 1', { multiline: true })).toBeNull();
    expect(findUnsafeCharacter('Terms\u2028', { multiline: true })?.kind).toBe('line-separator');
    expect(findUnsafeCharacter('Terms\u202E', { multiline: true })?.kind).toBe('format');
    expect(findUnsafeCharacter('Terms\u0007', { multiline: true })?.kind).toBe('control');
  });
});

describe('describeUnsafeCharacter', () => {
  it('names the field, the kind of character and the code point', () => {
    expect(describeUnsafeCharacter('Device names', findUnsafeCharacter('a\u202Eb')!)).toBe(
      'Device names cannot contain invisible formatting characters, such as direction overrides, that change how the text reads (found U+202E).',
    );
    expect(describeUnsafeCharacter('The text', findUnsafeCharacter('a\u0007b')!, { multiline: true })).toBe(
      'The text cannot contain control characters other than line breaks and tabs (found U+0007).',
    );
    expect(describeUnsafeCharacter('Names', findUnsafeCharacter('a\u2028b')!)).toBe(
      'Names cannot contain line or paragraph separators (found U+2028).',
    );
  });
});

describe('neutraliseUnsafeCharacters', () => {
  it('replaces each unsafe character with U+FFFD and keeps everything else', () => {
    expect(neutraliseUnsafeCharacters('Laptop\u2028SECURITY\u202E NOTICE\n👩‍💻')).toBe(
      'Laptop\uFFFDSECURITY\uFFFD NOTICE\uFFFD👩‍💻',
    );
    expect(neutraliseUnsafeCharacters('line\nbreak\u2029', { multiline: true })).toBe('line\nbreak\uFFFD');
  });
});
