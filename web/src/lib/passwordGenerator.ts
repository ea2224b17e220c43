/**
 * The password generator of **Add account** and **Edit**: random characters from the classes chosen,
 * drawn with crypto.getRandomValues. Each character is unbiased (rejection sampling: random values past
 * the largest multiple of the alphabet's size are drawn again, never folded with a plain modulo), and a
 * password lacking a chosen class is drawn again whole, so every valid password is equally likely.
 */

export const CHARACTER_CLASSES = {
  lower: { label: 'Lower case (a–z)', characters: 'abcdefghijklmnopqrstuvwxyz' },
  upper: { label: 'Upper case (A–Z)', characters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  digits: { label: 'Digits (0–9)', characters: '0123456789' },
  symbols: { label: 'Symbols (!#$…)', characters: '!#$%&()*+,-./:;<=>?@[]^_{|}~' },
} as const;

export type CharacterClass = keyof typeof CHARACTER_CLASSES;

export const MIN_GENERATED_LENGTH = 8;
export const MAX_GENERATED_LENGTH = 128;

export interface GeneratorOptions {
  length: number;
  classes: CharacterClass[];
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  length: 24,
  classes: ['lower', 'upper', 'digits', 'symbols'],
};

/** Fills the array with random values; crypto.getRandomValues unless a test gives its own. */
export type RandomSource = (values: Uint32Array<ArrayBuffer>) => Uint32Array<ArrayBuffer>;

const cryptoRandom: RandomSource = (values) => crypto.getRandomValues(values);

/** A uniformly random index below `size`. */
function randomIndex(size: number, random: RandomSource): number {
  // The largest multiple of size that fits in 32 bits: values at or above it would favour the low indexes.
  const limit = Math.floor(0x1_0000_0000 / size) * size;
  const value = new Uint32Array(1);
  for (;;) {
    random(value);
    if (value[0]! < limit) return value[0]! % size;
  }
}

export function generatePassword(options: GeneratorOptions, random: RandomSource = cryptoRandom): string {
  const classes = [...new Set(options.classes)];
  if (classes.length === 0) throw new RangeError('Choose at least one kind of character.');
  const length = Math.trunc(options.length);
  if (!(length >= Math.max(MIN_GENERATED_LENGTH, classes.length) && length <= MAX_GENERATED_LENGTH)) {
    throw new RangeError(`Choose a length from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}.`);
  }
  const alphabet = classes.map((c) => CHARACTER_CLASSES[c].characters).join('');
  for (;;) {
    let password = '';
    for (let i = 0; i < length; i++) password += alphabet[randomIndex(alphabet.length, random)];
    const hasEveryClass = classes.every((c) =>
      [...CHARACTER_CLASSES[c].characters].some((ch) => password.includes(ch)),
    );
    if (hasEveryClass) return password;
  }
}
