import { createRequire } from 'node:module';

/**
 * How hard a password is to guess, by zxcvbn-ts with its common and English dictionaries: a length rule
 * alone lets `password1234` through. The dictionaries (some 20 MB of heap) load on the first check, not at
 * start, so an idle server stays small; the check is synchronous like the rest of the policy.
 */

/** zxcvbn's score (0–4) a chosen password must reach: 3 is "safely unguessable", ≥ 10^8 guesses. */
export const MIN_STRENGTH_SCORE = 3;

/** Only the start is estimated: the estimator's cost grows with length, and 64 characters say enough. */
const ESTIMATED_LENGTH = 64;

interface Estimator {
  check(password: string, userInputs?: string[]): { score: number };
}

let estimator: Estimator | undefined;

function load(): Estimator {
  if (estimator) return estimator;
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  estimator = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return estimator;
}

/** The score of `password`, knowing the words of the person's own (their email, name, workspace). */
export function passwordStrength(password: string, userInputs: string[] = []): number {
  return load().check(password.slice(0, ESTIMATED_LENGTH), userInputs).score;
}

export const EASY_TO_GUESS =
  'This password is easy to guess: use a few unrelated words, or more varied characters, rather than a word, name or pattern with a little added.';
