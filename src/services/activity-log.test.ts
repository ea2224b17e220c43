import { describe, expect, it } from 'vitest';
import { csvField } from './activity-log.js';

describe('csvField', () => {
  it('leaves plain values alone and quotes separators, quotes and line breaks', () => {
    expect(csvField('Agency One')).toBe('Agency One');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses a value a spreadsheet would run as a formula (CSV injection)', () => {
    expect(csvField('=HYPERLINK("http://evil.test")')).toBe(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
