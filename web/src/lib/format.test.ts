import { describe, expect, it } from 'vitest';
import { periodAfter, sentence } from './format';

describe('sentence: a name that ends with a period ends the sentence once', () => {
  it('adds the period a sentence needs', () => {
    expect(sentence('Welcome to Acme Inc')).toBe('Welcome to Acme Inc.');
    expect(periodAfter('Agency One')).toBe('.');
  });

  it('adds none after a name that already ends with . ! or ?', () => {
    expect(sentence('Welcome to Acme Marketing & Co.')).toBe('Welcome to Acme Marketing & Co.');
    expect(sentence('Welcome to Yahoo!')).toBe('Welcome to Yahoo!');
    expect(sentence('Welcome to Why Not?')).toBe('Welcome to Why Not?');
    expect(sentence('Welcome to “Acme Co.”')).toBe('Welcome to “Acme Co.”');
    expect(periodAfter('Acme Marketing & Co.')).toBe('');
  });

  it('still ends a name with a period inside it or after other punctuation', () => {
    expect(sentence('Welcome to A.C.M.E. Labs')).toBe('Welcome to A.C.M.E. Labs.');
    expect(sentence('Welcome to Acme (Europe)')).toBe('Welcome to Acme (Europe).');
  });
});
