import { describe, expect, it } from 'vitest';
import { RESET_LINK_TTL_MS, resetLinkState, resetOutcome, type ResetCandidate } from './password-reset.js';

const active: ResetCandidate = { kind: 'member', role: 'member', status: 'active', hasPassword: true };

describe('resetOutcome', () => {
  it('gives a link to an active local member, admin or owner, and to an active guest, in a local workspace', () => {
    for (const role of ['owner', 'admin', 'member'] as const)
      expect(resetOutcome({ ...active, role }, 'local')).toBe('link');
    expect(resetOutcome({ ...active, kind: 'guest', role: 'guest' }, 'local')).toBe('link');
  });

  it("sends an idp workspace's members to their identity provider, but not its guests or its owner", () => {
    expect(resetOutcome(active, 'idp')).toBe('idp');
    expect(resetOutcome({ ...active, role: 'admin', hasPassword: false }, 'idp')).toBe('idp');
    expect(resetOutcome({ ...active, kind: 'guest', role: 'guest' }, 'idp')).toBe('link');
    expect(resetOutcome({ ...active, role: 'owner' }, 'idp')).toBe('link');
  });

  it('sends nothing to someone invited, deactivated, or without a password', () => {
    expect(resetOutcome({ ...active, status: 'invited' }, 'local')).toBe('none');
    expect(resetOutcome({ ...active, status: 'deactivated' }, 'local')).toBe('none');
    expect(resetOutcome({ ...active, kind: 'guest', role: 'guest', status: 'deactivated' }, 'idp')).toBe('none');
    expect(resetOutcome({ ...active, hasPassword: false }, 'local')).toBe('none');
  });
});

describe('resetLinkState', () => {
  const now = Date.UTC(2026, 11, 2, 12);
  it('is valid for 30 minutes, then expired; used wins over both', () => {
    expect(RESET_LINK_TTL_MS).toBe(30 * 60 * 1000);
    const expiresAt = new Date(now + RESET_LINK_TTL_MS);
    expect(resetLinkState({ expiresAt, usedAt: null }, now)).toBe('valid');
    expect(resetLinkState({ expiresAt, usedAt: null }, now + RESET_LINK_TTL_MS - 1)).toBe('valid');
    expect(resetLinkState({ expiresAt, usedAt: null }, now + RESET_LINK_TTL_MS)).toBe('expired');
    expect(resetLinkState({ expiresAt, usedAt: new Date(now) }, now + RESET_LINK_TTL_MS)).toBe('used');
  });
});
