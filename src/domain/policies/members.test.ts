import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { memberPolicy } from './members.js';

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
  it.each<[WorkspaceRole, 'member' | 'guest', boolean, boolean]>([
    ['owner', 'member', false, true],
    ['admin', 'guest', false, true],
    ['member', 'guest', true, true],
    ['member', 'guest', false, false],
    ['member', 'member', true, false],
    ['guest', 'guest', true, false],
  ])('%s resetting a %s (hosted by them: %s) → %s', (role, kind, hostedByActor, expected) => {
    expect(memberPolicy.resetMfa(actor(role), { userId: other, kind, hostedByActor })).toBe(expected);
  });

  it('nobody resets their own MFA', () => {
    const owner = actor('owner');
    expect(memberPolicy.resetMfa(owner, { userId: owner.userId, kind: 'member', hostedByActor: false })).toBe(false);
  });
});
