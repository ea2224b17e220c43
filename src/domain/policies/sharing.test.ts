import { describe, expect, it } from 'vitest';
import type { ItemRole, PartnerRole, WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { sharingPolicy } from './sharing.js';

const actor = (role: WorkspaceRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});
const onAccount = (role: ItemRole, workspaceRole: WorkspaceRole = 'member') => ({ actor: actor(workspaceRole), role });
const inPartner = (partnerRole: PartnerRole | null, workspaceRole: WorkspaceRole = 'member') => ({
  actor: actor(workspaceRole),
  partnerRole,
});

describe('sharingPolicy.shareWithPartner', () => {
  it.each<[ItemRole, WorkspaceRole, PartnerRole | null, string | null]>([
    ['owner', 'member', 'host_admin', null],
    ['collaborator', 'member', 'host_admin', 'account'],
    // Running the workspace is not enough: sharing is the partnership hosts' decision.
    ['owner', 'admin', null, 'partner'],
    ['owner', 'owner', null, 'partner'],
    ['manager', 'guest', 'guest_admin', 'partner'],
    ['collaborator', 'guest', 'guest_user', 'partner'],
  ])(
    '%s of the account, %s of the workspace, %s of the partner → refused by %s',
    (item, workspace, partner, refusal) => {
      expect(sharingPolicy.shareWithPartner(onAccount(item, workspace), inPartner(partner, workspace))).toBe(refusal);
    },
  );
});

describe('sharingPolicy.removeFromPartner', () => {
  it.each<[ItemRole | null, WorkspaceRole, PartnerRole | null, boolean]>([
    ['owner', 'member', null, true],
    [null, 'member', 'host_admin', true],
    [null, 'admin', null, true],
    ['collaborator', 'member', null, false],
    ['manager', 'guest', 'guest_admin', false],
    [null, 'guest', 'guest_user', false],
  ])('%s of the account, %s of the workspace, %s of the partner → allowed: %s', (item, workspace, partner, allowed) => {
    const account = item === null ? null : onAccount(item, workspace);
    expect(sharingPolicy.removeFromPartner(account, inPartner(partner, workspace)) === null).toBe(allowed);
  });

  it('without any standing, refuses', () => {
    expect(sharingPolicy.removeFromPartner(null, null)).toBe('both');
  });
});

describe('sharingPolicy.shareOnward', () => {
  const guestUser = { partnerRole: 'guest_user' as const, active: true };
  it.each<[ItemRole, PartnerRole | null, { partnerRole: PartnerRole | null; active: boolean }, string | null]>([
    ['manager', 'guest_admin', guestUser, null],
    ['collaborator', 'guest_admin', guestUser, 'account'],
    // A manager through an own grant (not the partner's share) has no partner to pass the account in.
    ['manager', null, guestUser, 'partner'],
    ['manager', 'guest_user', guestUser, 'partner'],
    ['manager', 'guest_admin', { partnerRole: 'guest_admin', active: true }, 'target'],
    ['manager', 'guest_admin', { partnerRole: null, active: true }, 'target'],
    ['manager', 'guest_admin', { partnerRole: 'guest_user', active: false }, 'target'],
  ])('%s through %s, to %j → refused by %s', (item, partnerRole, target, refusal) => {
    const partner = partnerRole === null ? null : inPartner(partnerRole, 'guest');
    expect(sharingPolicy.shareOnward(onAccount(item, 'guest'), partner, target)).toBe(refusal);
  });
});

describe('sharing with people', () => {
  it.each<[ItemRole, 'member' | 'guest', string | null, string | null]>([
    ['owner', 'member', null, 'target'],
    ['owner', 'guest', 'target', null],
    ['collaborator', 'member', 'account', 'account'],
    ['manager', 'guest', 'account', 'account'],
  ])('%s with a %s: share with member → %s, change guest role → %s', (item, kind, withMember, guestRole) => {
    expect(sharingPolicy.shareWithMember(onAccount(item), { kind })).toBe(withMember);
    expect(sharingPolicy.changeGuestRole(onAccount(item), { kind })).toBe(guestRole);
  });
});
