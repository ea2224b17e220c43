/**
 * What user-chosen text may contain (issue 13, finding 3). Names are shown in the web app, the activity
 * log and mail, so a name must read the way it is written: no control characters, no line or paragraph
 * separators (U+2028 and U+2029 start a new line in mail text parts and many viewers, which lets a
 * device name forge a "SECURITY NOTICE" line), and no invisible format characters (Unicode category Cf)
 * such as the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what
 * follows them, zero-width spaces or a byte order mark.
 *
 * Two format characters stay allowed: U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER. Persian,
 * Hindi and other scripts need them to spell names, and emoji sequences are built with them; neither
 * moves or hides text around it.
 */

export type UnsafeCharacterKind = 'control' | 'line-separator' | 'format' | 'surrogate';

export interface UnsafeCharacter {
  /** As Unicode writes it, e.g. "U+202E". */
  codePoint: string;
  kind: UnsafeCharacterKind;
  /** The offending character's index in the string (UTF-16 units). */
  index: number;
}

const ALLOWED_FORMAT = new Set([0x200c, 0x200d]);
const MULTILINE_CONTROLS = new Set(['\n', '\r', '\t']);

function kindOf(char: string, multiline: boolean): UnsafeCharacterKind | null {
  if (/\p{Cs}/u.test(char)) return 'surrogate';
  if (/\p{Cc}/u.test(char)) return multiline && MULTILINE_CONTROLS.has(char) ? null : 'control';
  if (/[\p{Zl}\p{Zp}]/u.test(char)) return 'line-separator';
  if (/\p{Cf}/u.test(char) && !ALLOWED_FORMAT.has(char.codePointAt(0)!)) return 'format';
  return null;
}

/**
 * The first character that would change how `text` reads, or null when there is none. With
 * `multiline`, line feeds, carriage returns and tabs are allowed (long text such as the terms).
 */
export function findUnsafeCharacter(text: string, options: { multiline?: boolean } = {}): UnsafeCharacter | null {
  let index = 0;
  for (const char of text) {
    const kind = kindOf(char, options.multiline ?? false);
    if (kind) {
      const codePoint = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return { codePoint, kind, index };
    }
    index += char.length;
  }
  return null;
}

const DESCRIPTIONS: Record<UnsafeCharacterKind, string> = {
  control: 'control characters such as line breaks or tabs',
  'line-separator': 'line or paragraph separators',
  format: 'invisible formatting characters, such as direction overrides, that change how the text reads',
  surrogate: 'broken characters (unpaired UTF-16 surrogates)',
};

/** The message a person sees: what the field cannot contain, and which character was found. */
export function describeUnsafeCharacter(
  label: string,
  found: UnsafeCharacter,
  options: { multiline?: boolean } = {},
): string {
  const what =
    found.kind === 'control' && options.multiline
      ? 'control characters other than line breaks and tabs'
      : DESCRIPTIONS[found.kind];
  return `${label} cannot contain ${what} (found ${found.codePoint}).`;
}

/**
 * Text stored before this rule, made safe to show: every unsafe character becomes U+FFFD (the
 * replacement character), so it is visible and changes nothing around it.
 */
export function neutraliseUnsafeCharacters(text: string, options: { multiline?: boolean } = {}): string {
  let result = '';
  for (const char of text) result += kindOf(char, options.multiline ?? false) ? '\uFFFD' : char;
  return result;
}
