import { describe, expect, it } from 'vitest';
import { effectiveState } from './invitations.js';

describe('effectiveState', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const before = new Date('2026-01-10T11:59:59Z');
  const after = new Date('2026-01-10T12:00:01Z');

  it('a pending invitation past its expiry reads as expired before the sweeper marks it', () => {
    expect(effectiveState({ state: 'pending', expires_at: before }, now)).toBe('expired');
    expect(effectiveState({ state: 'pending', expires_at: now }, now)).toBe('expired');
  });

  it('a pending invitation within its lifetime stays pending', () => {
    expect(effectiveState({ state: 'pending', expires_at: after }, now)).toBe('pending');
  });

  it.each(['accepted', 'revoked', 'expired'] as const)('a %s invitation keeps its state whatever the time', (state) => {
    expect(effectiveState({ state, expires_at: before }, now)).toBe(state);
  });
});
