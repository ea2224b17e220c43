import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { workspacePolicy } from './workspace.js';

const actor = (role: WorkspaceRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});

describe('workspacePolicy', () => {
  it.each<[WorkspaceRole, boolean]>([
    ['owner', true],
    ['admin', true],
    ['member', false],
    ['guest', false],
  ])('%s runs the workspace (settings, terms, development outbox): %s', (role, expected) => {
    for (const rule of Object.values(workspacePolicy)) expect(rule(actor(role))).toBe(expected);
  });
});
