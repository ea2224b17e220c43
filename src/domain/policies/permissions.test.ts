import { describe, expect, it } from 'vitest';
import type { ItemRole, PartnerRole, WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { accountPermissions, partnerPermissions } from './permissions.js';

const actor = (role: WorkspaceRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});

describe('partnerPermissions', () => {
  const all = (value: boolean) => ({
    rename: value,
    manageHostAdmins: value,
    inviteGuests: value,
    manageInvitations: value,
    changeGuestRoles: value,
    removeGuestAdmins: value,
    removeGuestUsers: value,
    remove: value,
    shareAccounts: value,
    removeAccounts: value,
    setGuestAccessEnd: value,
  });
  it.each<[WorkspaceRole, PartnerRole | null, ReturnType<typeof all>]>([
    ['member', 'host_admin', all(true)],
    ['admin', null, { ...all(true), shareAccounts: false }],
    ['owner', 'host_admin', all(true)],
    [
      'guest',
      'guest_admin',
      { ...all(false), inviteGuests: true, manageInvitations: true, changeGuestRoles: true, removeGuestUsers: true },
    ],
    ['guest', 'guest_user', all(false)],
  ])('%s of the workspace, %s of the partner → %j', (workspaceRole, partnerRole, expected) => {
    expect(partnerPermissions({ actor: actor(workspaceRole), partnerRole })).toEqual(expected);
  });
});

describe('accountPermissions', () => {
  it.each<[ItemRole, PartnerRole | null, { share: boolean; shareOnward: boolean; manageAccess: boolean }]>([
    ['owner', null, { share: true, shareOnward: false, manageAccess: true }],
    ['collaborator', null, { share: false, shareOnward: false, manageAccess: false }],
    ['manager', 'guest_admin', { share: false, shareOnward: true, manageAccess: false }],
    // A guest user an owner made manager of the account has no partner share to pass it on from.
    ['manager', null, { share: false, shareOnward: false, manageAccess: false }],
  ])('%s (through a partner as %s) → %j', (role, partnerRole, expected) => {
    const standing = { actor: actor('member'), role };
    const partner = partnerRole === null ? null : { actor: standing.actor, partnerRole };
    expect(accountPermissions(standing, partner)).toMatchObject(expected);
  });
});
