import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { actsOn, memberPolicy } from './members.js';

const actor = (role: WorkspaceRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});

describe('memberPolicy', () => {
  it.each<[WorkspaceRole, { list: boolean; inviteMember: boolean; inviteAdmin: boolean }]>([
    ['owner', { list: true, inviteMember: true, inviteAdmin: true }],
    ['admin', { list: true, inviteMember: true, inviteAdmin: false }],
    ['member', { list: true, inviteMember: false, inviteAdmin: false }],
    ['guest', { list: false, inviteMember: false, inviteAdmin: false }],
  ])('%s → %j', (role, expected) => {
    expect({
      list: memberPolicy.list(actor(role)),
      inviteMember: memberPolicy.invite(actor(role), 'member'),
      inviteAdmin: memberPolicy.invite(actor(role), 'admin'),
    }).toEqual(expected);
  });
});

describe('who acts on whom: the lifecycle actions', () => {
  const other = '00000000-0000-4000-8000-000000000009';
  const on = (role: WorkspaceRole, status: 'invited' | 'active' | 'deactivated' = 'active') => ({
    userId: other,
    role,
    status,
  });
  type Row = [WorkspaceRole, WorkspaceRole, boolean];
  // Admins act on members; only the owner acts on admins; nobody on the owner; members and guests on nobody.
  const table: Row[] = [
    ['owner', 'admin', true],
    ['owner', 'member', true],
    ['admin', 'owner', false],
    ['admin', 'admin', false],
    ['admin', 'member', true],
    ['member', 'owner', false],
    ['member', 'admin', false],
    ['member', 'member', false],
    ['guest', 'member', false],
    ['guest', 'admin', false],
  ];
  it.each(table)('%s on an active %s: deactivate, change email → %s', (role, targetRole, expected) => {
    expect(memberPolicy.deactivate(actor(role), on(targetRole))).toBe(expected);
    expect(memberPolicy.changeEmail(actor(role), on(targetRole))).toBe(expected);
  });
  it.each(table)('%s on a deactivated %s: reactivate → %s', (role, targetRole, expected) => {
    expect(memberPolicy.reactivate(actor(role), on(targetRole, 'deactivated'))).toBe(expected);
  });
  it.each(table)('%s on an invited %s: resend or revoke → %s', (role, targetRole, expected) => {
    expect(memberPolicy.manageInvitation(actor(role), on(targetRole, 'invited'))).toBe(expected);
  });

  it('only the owner changes roles, since making or unmaking an admin is acting on an admin', () => {
    expect(memberPolicy.changeRole(actor('owner'), on('member'), 'admin')).toBe(true);
    expect(memberPolicy.changeRole(actor('owner'), on('admin'), 'member')).toBe(true);
    expect(memberPolicy.changeRole(actor('admin'), on('member'), 'admin')).toBe(false);
    expect(memberPolicy.changeRole(actor('admin'), on('admin'), 'member')).toBe(false);
    expect(memberPolicy.changeRole(actor('owner'), on('owner'), 'admin')).toBe(false);
    expect(memberPolicy.changeRole(actor('owner'), on('member'), 'member')).toBe(false);
    expect(memberPolicy.changeRole(actor('owner'), on('member', 'invited'), 'admin')).toBe(false);
  });

  it('each action needs the state it changes: no deactivating the deactivated, no reactivating the active', () => {
    expect(memberPolicy.deactivate(actor('owner'), on('member', 'deactivated'))).toBe(false);
    expect(memberPolicy.deactivate(actor('owner'), on('member', 'invited'))).toBe(false);
    expect(memberPolicy.reactivate(actor('owner'), on('member'))).toBe(false);
    expect(memberPolicy.manageInvitation(actor('owner'), on('member'))).toBe(false);
  });

  it('nobody acts on themselves, and only the owner hands on ownership, to an active admin', () => {
    const owner = actor('owner');
    const self = { userId: owner.userId, role: 'owner' as const, status: 'active' as const };
    expect(memberPolicy.deactivate(owner, self)).toBe(false);
    expect(memberPolicy.changeEmail(owner, self)).toBe(false);
    expect(memberPolicy.transferOwnership(owner, on('admin'))).toBe(true);
    expect(memberPolicy.transferOwnership(owner, on('member'))).toBe(false);
    expect(memberPolicy.transferOwnership(owner, on('admin', 'deactivated'))).toBe(false);
    expect(memberPolicy.transferOwnership(actor('admin'), on('admin'))).toBe(false);
  });
});

describe('memberPolicy.resetMfa', () => {
  const other = '00000000-0000-4000-8000-000000000009';
  const target = (role: WorkspaceRole, hostedByActor = false) => ({
    userId: other,
    kind: role === 'guest' ? ('guest' as const) : ('member' as const),
    role,
    hostedByActor,
  });

  it.each<[WorkspaceRole, WorkspaceRole, boolean, boolean]>([
    // Who acts on whom: the owner on anyone else, admins on members and guests, nobody on the owner.
    ['owner', 'admin', false, true],
    ['owner', 'member', false, true],
    ['owner', 'guest', false, true],
    ['admin', 'owner', false, false],
    ['admin', 'admin', false, false],
    ['admin', 'member', false, true],
    ['admin', 'guest', false, true],
    ['member', 'owner', false, false],
    ['member', 'member', false, false],
    // Host admins on the guests of partners they host, whatever their workspace role.
    ['member', 'guest', true, true],
    ['member', 'guest', false, false],
    ['admin', 'guest', true, true],
    ['member', 'member', true, false],
    ['guest', 'guest', true, false],
  ])('%s resetting a %s (hosted by them: %s) → %s', (role, targetRole, hostedByActor, expected) => {
    expect(memberPolicy.resetMfa(actor(role), target(targetRole, hostedByActor))).toBe(expected);
  });

  it('nobody resets their own MFA', () => {
    const owner = actor('owner');
    expect(memberPolicy.resetMfa(owner, { ...target('owner'), userId: owner.userId })).toBe(false);
  });
});

describe('actsOn', () => {
  it.each<[WorkspaceRole, WorkspaceRole[]]>([
    ['owner', ['admin', 'member', 'guest']],
    ['admin', ['member', 'guest']],
    ['member', []],
    ['guest', []],
  ])('%s acts on %j and no one else', (role, expected) => {
    const roles: WorkspaceRole[] = ['owner', 'admin', 'member', 'guest'];
    expect(roles.filter((targetRole) => actsOn(role, targetRole))).toEqual(expected);
  });
});
