import { describe, expect, it } from 'vitest';
import { formatUserCode, newUserCode, normalizeUserCode, pollOutcome, USER_CODE_ALPHABET } from './connect.js';

describe('user codes', () => {
  it('are eight letters without vowels, shown as two groups of four', () => {
    let n = 0;
    const code = newUserCode((below) => n++ % below);
    expect(code).toBe('BCDF-GHJK');
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY01]/);
  });

  it('are read back whatever the case, spaces or dashes', () => {
    expect(normalizeUserCode('bcdf-ghjk')).toBe('BCDFGHJK');
    expect(normalizeUserCode(' BCDF GHJK ')).toBe('BCDFGHJK');
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK');
  });

  it('refuse what cannot be a code: wrong length or letters outside the alphabet', () => {
    expect(normalizeUserCode('BCDF-GHJ')).toBeNull();
    expect(normalizeUserCode('BCDF-GHJKL')).toBeNull();
    expect(normalizeUserCode('ABCD-EFGH')).toBeNull();
    expect(normalizeUserCode('')).toBeNull();
  });
});

describe('polling a connect request (RFC 8628 §3.5)', () => {
  const now = 1_000_000;
  const request = { status: 'pending' as const, expiresAt: now + 60_000, intervalS: 5, lastPolledAt: null };

  it('says pending until someone decides', () => {
    expect(pollOutcome(request, now)).toEqual({ ok: false, error: 'authorization_pending', intervalS: 5 });
    expect(pollOutcome({ ...request, lastPolledAt: now - 5_000 }, now)).toMatchObject({
      error: 'authorization_pending',
    });
  });

  it('asks a client polling faster than the interval to slow down by five seconds', () => {
    expect(pollOutcome({ ...request, lastPolledAt: now - 4_999 }, now)).toEqual({
      ok: false,
      error: 'slow_down',
      intervalS: 10,
    });
    expect(pollOutcome({ ...request, intervalS: 10, lastPolledAt: now - 9_000 }, now)).toMatchObject({
      intervalS: 15,
    });
  });

  it('ends with access_denied, expired_token or, once used, invalid_grant', () => {
    expect(pollOutcome({ ...request, status: 'denied' }, now)).toMatchObject({ error: 'access_denied' });
    expect(pollOutcome({ ...request, expiresAt: now }, now)).toMatchObject({ error: 'expired_token' });
    expect(pollOutcome({ ...request, status: 'approved', expiresAt: now - 1 }, now)).toMatchObject({
      error: 'expired_token',
    });
    expect(pollOutcome({ ...request, status: 'consumed' }, now)).toMatchObject({ error: 'invalid_grant' });
  });

  it('hands over the session once approved', () => {
    expect(pollOutcome({ ...request, status: 'approved' }, now)).toEqual({ ok: true });
  });
});
