import fs from 'node:fs';

let common: Set<string> | undefined;

/** True when the password is among the 10,000 most common (case-insensitive). See data/README.md. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    fs
      .readFileSync(new URL('./data/common-passwords-10k.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common.has(password.toLowerCase());
}
