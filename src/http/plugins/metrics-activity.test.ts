import { describe, expect, it } from 'vitest';
import type { ObservedEvent } from '../../services/activity.js';
import { incrementsFor } from './metrics-activity.js';

const event = (action: string, details: Record<string, unknown> = {}): ObservedEvent => ({
  action,
  details,
});

describe('activity events as counter increments', () => {
  it('counts a password sign-in and each second factor at sign-in under its method', () => {
    expect(incrementsFor([event('auth.signed_in')])).toEqual([{ counter: 'sign_ins', labels: { method: 'password' } }]);
    expect(incrementsFor([event('auth.second_factor_passed', { method: 'recovery_code' })])).toEqual([
      { counter: 'sign_ins', labels: { method: 'recovery_code' } },
    ]);
  });

  it('does not count the session that set-up or a first password change opens as a sign-in', () => {
    expect(incrementsFor([event('workspace.created'), event('auth.signed_in')])).toEqual([]);
    expect(incrementsFor([event('user.password_changed', { first: true }), event('auth.signed_in')])).toEqual([]);
  });

  it('counts a wrong second factor at sign-in as a sign-in failure too, elsewhere only as a second-factor failure', () => {
    expect(incrementsFor([event('auth.second_factor_failed', { method: 'passkey', purpose: 'sign-in' })])).toEqual([
      { counter: 'second_factor_failures', labels: { method: 'passkey', purpose: 'sign-in' } },
      { counter: 'sign_in_failures', labels: { method: 'passkey' } },
    ]);
    expect(incrementsFor([event('auth.second_factor_failed', { method: 'totp', purpose: 'identity' })])).toEqual([
      { counter: 'second_factor_failures', labels: { method: 'totp', purpose: 'identity' } },
    ]);
  });

  it('counts lockouts by scope and secrets by kind', () => {
    expect(
      incrementsFor([
        event('auth.sign_in_failed', { reason: 'unknown_user', username: 'x' }),
        event('auth.lockout_started', { scope: 'password', seconds: 60 }),
        event('account.password_delivered'),
        event('account.password_revealed'),
        event('account.totp_secret_revealed'),
        event('account.totp_code_issued'),
        event('account.updated'),
      ]),
    ).toEqual([
      { counter: 'sign_in_failures', labels: { method: 'password' } },
      { counter: 'lockouts', labels: { scope: 'password' } },
      { counter: 'secrets_delivered', labels: { kind: 'password_autofill' } },
      { counter: 'secrets_delivered', labels: { kind: 'password_reveal' } },
      { counter: 'secrets_delivered', labels: { kind: 'totp_secret_reveal' } },
      { counter: 'secrets_delivered', labels: { kind: 'totp_code' } },
    ]);
  });

  it('never takes a label value from an event that is not on its fixed list', () => {
    const increments = incrementsFor([
      event('auth.second_factor_passed', { method: 'a9c1e1f0-raw-value' }),
      event('auth.second_factor_failed', { method: { nested: true }, purpose: 'x'.repeat(500) }),
      event('auth.lockout_started', { scope: 'user@example.test' }),
    ]);
    expect(increments.flatMap((increment) => Object.values(increment.labels))).toEqual([
      'other',
      'other',
      'other',
      'other',
    ]);
  });
});
