import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../../db/schema.js';
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
