import { describe, expect, it } from 'vitest';
import type { GuestRole, PartnerRole, UserStatus, WorkspaceRole } from '../vocabulary.js';
import type { PartnerStanding } from './partners.js';
import { guestPasswordPolicy } from './guest-passwords.js';

const ME = '00000000-0000-4000-8000-000000000001';
const SOMEONE = '00000000-0000-4000-8000-000000000009';

const standing = (role: WorkspaceRole, partnerRole: PartnerRole | null): PartnerStanding => ({
  actor: { userId: ME, workspaceId: '00000000-0000-4000-8000-000000000002', role, status: 'active' },
  partnerRole,
});
const guest = (role: GuestRole, status: UserStatus = 'active', userId = SOMEONE) => ({ userId, role, status });

describe('guestPasswordPolicy.reset', () => {
  it.each<[WorkspaceRole, PartnerRole | null, GuestRole, boolean]>([
    // Workspace owners and admins may do all a host admin may, in any partner.
    ['owner', null, 'guest_admin', true],
    ['owner', null, 'guest_user', true],
    ['admin', null, 'guest_admin', true],
    ['admin', null, 'guest_user', true],
    // Host admins, for any guest of their partner.
    ['member', 'host_admin', 'guest_admin', true],
    ['member', 'host_admin', 'guest_user', true],
    // A member who does not host this partner.
    ['member', null, 'guest_user', false],
    // Guest admins for guest users only.
    ['guest', 'guest_admin', 'guest_user', true],
    ['guest', 'guest_admin', 'guest_admin', false],
    // Guest users never.
    ['guest', 'guest_user', 'guest_user', false],
    ['guest', 'guest_user', 'guest_admin', false],
  ])('%s (partner role %s) resetting a %s → %s', (role, partnerRole, targetRole, expected) => {
    expect(guestPasswordPolicy.reset(standing(role, partnerRole), guest(targetRole))).toBe(expected);
  });

  it('nobody resets their own password here, not even a workspace admin', () => {
    expect(guestPasswordPolicy.reset(standing('guest', 'guest_admin'), guest('guest_user', 'active', ME))).toBe(false);
    expect(guestPasswordPolicy.reset(standing('guest', 'guest_admin'), guest('guest_admin', 'active', ME))).toBe(false);
    expect(guestPasswordPolicy.reset(standing('admin', null), guest('guest_user', 'active', ME))).toBe(false);
  });
});

describe('guestPasswordPolicy.offered', () => {
  it.each<[UserStatus, boolean]>([
    ['active', true],
    // An invited guest gets Resend invitation instead; a deactivated one cannot sign in.
    ['invited', false],
    ['deactivated', false],
  ])('a host admin, for a guest user who is %s → %s', (status, expected) => {
    expect(guestPasswordPolicy.applies(guest('guest_user', status))).toBe(expected);
    expect(guestPasswordPolicy.offered(standing('member', 'host_admin'), guest('guest_user', status))).toBe(expected);
  });

  it('is never offered to someone who may not reset, whatever the status', () => {
    expect(guestPasswordPolicy.offered(standing('guest', 'guest_user'), guest('guest_user'))).toBe(false);
    expect(guestPasswordPolicy.offered(standing('guest', 'guest_admin'), guest('guest_admin'))).toBe(false);
  });
});
