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
  it.each<[WorkspaceRole, { list: boolean; add: boolean }]>([
    ['owner', { list: true, add: true }],
    ['admin', { list: true, add: true }],
    ['member', { list: true, add: false }],
    ['guest', { list: false, add: false }],
  ])('%s → %j', (role, expected) => {
    expect({ list: memberPolicy.list(actor(role)), add: memberPolicy.add(actor(role)) }).toEqual(expected);
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
