import type { PasswordRuleId } from '../api';

/** The score a chosen password must reach, as on the server (src/domain/password-strength.ts). */
export const MIN_STRENGTH_SCORE = 3;

/** met / not met, or unknown until the server checks it (it alone knows the temporary password). */
export type RuleState = 'met' | 'unmet' | 'unknown';

/** Code points, as the server counts them (an emoji is one character, not two). */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** The identities a password may not equal: username (the email), email and its local part. */
function identities(email: string): string[] {
  const local = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : '';
  return [email, local].filter((value) => value.length > 0).map((value) => value.toLowerCase());
}

/**
 * Each rule's state for what is typed now. The rules only the server can check are "unknown"
 * until an answer from it names them (`failedOnServer`).
 */
export function ruleState(
  id: PasswordRuleId,
  password: string,
  context: {
    minLength: number;
    email: string;
    failedOnServer: ReadonlySet<PasswordRuleId>;
    /** The strength estimator, once its chunk has loaded (the server checks the same rule either way). */
    strength?: ((password: string, userInputs: string[]) => number) | null;
  },
): RuleState {
  switch (id) {
    case 'hard-to-guess':
      if (context.failedOnServer.has(id)) return 'unmet';
      if (!context.strength || passwordLength(password) < context.minLength) return 'unknown';
      return context.strength(password, identities(context.email)) >= MIN_STRENGTH_SCORE ? 'met' : 'unmet';
    case 'min-length':
      return passwordLength(password) >= context.minLength ? 'met' : 'unmet';
    case 'not-identity':
      if (password.length === 0) return 'unmet';
      return identities(context.email).includes(password.toLowerCase()) ? 'unmet' : 'met';
    default:
      // 'not-temporary', 'not-common' and any rule the server adds later: only it can check them.
      return context.failedOnServer.has(id) ? 'unmet' : 'unknown';
  }
}

/**
 * Which server-only rules a refusal names. The server's field errors carry no rule id, so this
 * reads its messages ("…different from the temporary one.", "This password is too common…", "…easy to guess…").
 */
export function rulesNamedBy(messages: readonly string[]): Set<PasswordRuleId> {
  const named = new Set<PasswordRuleId>();
  for (const message of messages) {
    if (/temporary/i.test(message)) named.add('not-temporary');
    if (/common/i.test(message)) named.add('not-common');
    if (/easy to guess/i.test(message)) named.add('hard-to-guess');
  }
  return named;
}
