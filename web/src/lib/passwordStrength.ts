import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/**
 * The same estimator and dictionaries as the server's password policy (src/domain/password-strength.ts),
 * in a chunk of its own that only the pages where a password is chosen load, after they show.
 */
const estimator = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

/** zxcvbn's score (0–4) of the first 64 characters, knowing the person's own words. */
export function passwordStrength(password: string, userInputs: string[]): number {
  return estimator.check(password.slice(0, 64), userInputs).score;
}
