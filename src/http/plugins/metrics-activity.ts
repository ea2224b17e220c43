import type { ObservedEvent } from '../../services/activity.js';

/**
 * Turns activity events into counter increments. Every label value is taken from a fixed list (anything
 * else becomes `other`), so no event detail can make the number of series grow.
 */

export const SIGN_IN_METHODS = ['password', 'totp', 'recovery_code', 'passkey', 'oidc'] as const;
export const SECOND_FACTOR_METHODS = ['totp', 'recovery_code', 'passkey'] as const;
export const SECOND_FACTOR_PURPOSES = ['sign-in', 'identity', 'enrolment'] as const;
export const LOCKOUT_SCOPES = ['password', 'second-factor', 'device-code'] as const;
export const SECRET_KINDS = ['password_autofill', 'password_reveal', 'totp_secret_reveal', 'totp_code'] as const;

export type ActivityCounterName =
  'sign_ins' | 'sign_in_failures' | 'second_factor_failures' | 'lockouts' | 'secrets_delivered';

export interface Increment {
  counter: ActivityCounterName;
  labels: Record<string, string>;
}

const SECRET_ACTIONS: Record<string, (typeof SECRET_KINDS)[number]> = {
  'account.password_delivered': 'password_autofill',
  'account.password_revealed': 'password_reveal',
  'account.totp_secret_revealed': 'totp_secret_reveal',
  'account.totp_code_issued': 'totp_code',
};

/** Actions whose transaction opens a session that is not a sign-in of its own (see `incrementsFor`). */
const SESSION_REOPENING_ACTIONS = new Set(['user.password_changed', 'workspace.created']);

function oneOf(value: unknown, allowed: readonly string[], fallback = 'other'): string {
  return typeof value === 'string' && allowed.includes(value) ? value : fallback;
}

/**
 * The increments for one committed transaction's events. A session opened in the same transaction as a
 * first password change or the first-run set-up is not counted as a sign-in: the person either signed
 * in moments before (counted then) or never signed in at all (set-up).
 */
export function incrementsFor(transaction: ObservedEvent[]): Increment[] {
  const reopensSession = transaction.some((event) => SESSION_REOPENING_ACTIONS.has(event.action));
  const increments: Increment[] = [];
  for (const { action, details } of transaction) {
    switch (action) {
      case 'auth.signed_in':
        if (!reopensSession) {
          increments.push({
            counter: 'sign_ins',
            labels: { method: oneOf(details.method, SIGN_IN_METHODS, 'password') },
          });
        }
        break;
      case 'auth.second_factor_passed':
        increments.push({ counter: 'sign_ins', labels: { method: oneOf(details.method, SECOND_FACTOR_METHODS) } });
        break;
      case 'auth.sign_in_failed':
        increments.push({
          counter: 'sign_in_failures',
          labels: { method: oneOf(details.method, SIGN_IN_METHODS, 'password') },
        });
        break;
      case 'auth.second_factor_failed': {
        const method = oneOf(details.method, SECOND_FACTOR_METHODS);
        const purpose = oneOf(details.purpose, SECOND_FACTOR_PURPOSES);
        increments.push({ counter: 'second_factor_failures', labels: { method, purpose } });
        if (purpose === 'sign-in') increments.push({ counter: 'sign_in_failures', labels: { method } });
        break;
      }
      case 'auth.lockout_started':
        increments.push({ counter: 'lockouts', labels: { scope: oneOf(details.scope, LOCKOUT_SCOPES) } });
        break;
      default: {
        const kind = SECRET_ACTIONS[action];
        if (kind) increments.push({ counter: 'secrets_delivered', labels: { kind } });
      }
    }
  }
  return increments;
}
