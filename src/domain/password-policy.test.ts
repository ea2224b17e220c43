import { describe, expect, it } from 'vitest';
import { checkPassword, DEFAULT_PASSWORD_POLICY, MAX_PASSWORD_LENGTH, passwordFieldErrors } from './password-policy.js';
import { EASY_TO_GUESS } from './password-strength.js';

/** Sixteen characters with no word, name or pattern in them. */
const RANDOM16 = 'Tq7vX2pLm9wRk4zA';

const TOO_SHORT = 'Use at least 12 characters.';
const TOO_LONG = `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
const IS_IDENTITY = 'Do not use your username or email address as the password.';

const bob = { username: 'roberta.builder@acme.test', email: 'roberta.builder@acme.test' };

describe('checkPassword', () => {
  it('accepts a long passphrase that is not the username or email', () => {
    expect(checkPassword('correct horse battery staple', bob)).toEqual([]);
    expect(checkPassword('correct horse battery staple', {})).toEqual([]);
  });

  it.each([
    ['11 characters', RANDOM16.slice(0, 11), [TOO_SHORT]],
    ['exactly 12 characters', RANDOM16.slice(0, 12), []],
    ['an empty password', '', [TOO_SHORT]],
    [`exactly ${MAX_PASSWORD_LENGTH} characters`, RANDOM16.repeat(MAX_PASSWORD_LENGTH / 16), []],
    [`${MAX_PASSWORD_LENGTH + 1} characters`, `${RANDOM16.repeat(MAX_PASSWORD_LENGTH / 16)}x`, [TOO_LONG]],
  ])('judges the length of %s', (_label, password, expected) => {
    expect(checkPassword(password, {})).toEqual(expected);
  });

  it('counts length in code points, so an emoji is one character, not two', () => {
    const elevenEmoji = '🔑'.repeat(11);
    expect(elevenEmoji.length).toBe(22); // UTF-16 code units: would pass a naive .length check
    expect(checkPassword(elevenEmoji, {})).toEqual([TOO_SHORT]);
    expect(checkPassword('🔑🐙🌵🚲🎻🧭🍋🪁🦉🧊🎈🛶', {})).toEqual([]);
    expect(checkPassword('ñandú pingüino', {})).toEqual([]); // 14 code points, accents included
  });

  it.each([
    ['the email', 'roberta.builder@acme.test'],
    ['the email in other case', 'Roberta.Builder@ACME.test'],
    ['the local part of the email', 'roberta.builder'],
    ['the local part in upper case', 'ROBERTA.BUILDER'],
  ])('refuses %s as the password', (_label, password) => {
    expect(checkPassword(password, bob)).toEqual([IS_IDENTITY]);
  });

  it('refuses the username case-insensitively when it differs from the email', () => {
    expect(checkPassword('TheBuilderOfAcme', { username: 'thebuilderofacme', email: 'rb@acme.test' })).toEqual([
      IS_IDENTITY,
    ]);
  });

  it('finds the email with a little added easy to guess, though it is not the email', () => {
    expect(checkPassword('roberta.builder@acme.test!', bob)).toEqual([EASY_TO_GUESS]);
  });

  it.each([
    ['a common word with digits', 'password1234'],
    ['a keyboard walk', 'qwertyuiop[]\\'],
    ['one letter repeated', 'a'.repeat(20)],
  ])('refuses %s as easy to guess, though long enough (issue 14)', (_label, password) => {
    expect(checkPassword(password, {})).toEqual([EASY_TO_GUESS]);
  });

  it("refuses the person's own username with a year added", () => {
    expect(checkPassword('roberta.builder2026', bob)).toEqual([EASY_TO_GUESS]);
    expect(checkPassword('roberta.builder2026', {})).toEqual([]);
  });

  it('reports every broken rule at once', () => {
    expect(checkPassword('BOB', { username: 'bob', email: 'bob@acme.test' })).toEqual([TOO_SHORT, IS_IDENTITY]);
  });

  it('ignores empty identities', () => {
    expect(checkPassword('a perfectly fine password', { username: '', email: '' })).toEqual([]);
  });

  it('follows a custom minimum length', () => {
    expect(DEFAULT_PASSWORD_POLICY.minLength).toBe(12);
    expect(checkPassword(RANDOM16.slice(0, 15), {}, { minLength: 16 })).toEqual(['Use at least 16 characters.']);
    expect(checkPassword(RANDOM16, {}, { minLength: 16 })).toEqual([]);
  });
});

describe('passwordFieldErrors', () => {
  it('turns each problem into a field error on the given path', () => {
    expect(passwordFieldErrors('newPassword', [TOO_SHORT, IS_IDENTITY])).toEqual([
      { path: 'newPassword', message: TOO_SHORT },
      { path: 'newPassword', message: IS_IDENTITY },
    ]);
  });
});
