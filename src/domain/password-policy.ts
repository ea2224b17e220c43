import { isCommonPassword } from './common-passwords.js';
import { EASY_TO_GUESS, MIN_STRENGTH_SCORE, passwordStrength } from './password-strength.js';
import type { FieldError } from './errors.js';

export interface PasswordPolicy {
  minLength: number;
}

/** The rules as shown on the Change Password page, in order. */
export function describePolicy(policy: PasswordPolicy): Array<{ id: string; label: string }> {
  return [
    { id: 'min-length', label: `At least ${policy.minLength} characters` },
    { id: 'not-identity', label: 'Not your username or email address' },
    { id: 'not-temporary', label: 'Not the temporary password' },
    { id: 'not-common', label: 'Not a commonly used password' },
    { id: 'hard-to-guess', label: 'Hard to guess: not a word, name or pattern with a little added' },
  ];
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12 };

/** Long enough for passphrases, short enough that argon2 never sees megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

export interface PasswordContext {
  username?: string;
  email?: string;
}

/** Returns each rule the password breaks, in words a person can act on. Empty when it passes. */
export function checkPassword(password: string, context: PasswordContext, policy = DEFAULT_PASSWORD_POLICY): string[] {
  const problems: string[] = [];
  if ([...password].length < policy.minLength) problems.push(`Use at least ${policy.minLength} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  const lowered = password.toLowerCase();
  const identities = [context.username, context.email, context.email?.split('@')[0]].filter(
    (value): value is string => !!value && value.length > 0,
  );
  if (identities.some((identity) => lowered === identity.toLowerCase())) {
    problems.push('Do not use your username or email address as the password.');
  }
  if (isCommonPassword(password)) problems.push('This password is too common; choose one that is harder to guess.');
  // The estimator is the costly check: asked only of a password that passes the others.
  if (problems.length === 0 && passwordStrength(password, identities) < MIN_STRENGTH_SCORE) {
    problems.push(EASY_TO_GUESS);
  }
  return problems;
}

export function passwordFieldErrors(path: string, problems: string[]): FieldError[] {
  return problems.map((message) => ({ path, message }));
}
