import { describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import { devicePolicy } from './devices.js';

const ACTOR_ID = '00000000-0000-4000-8000-000000000001';
const OTHER_ID = '00000000-0000-4000-8000-000000000003';
const actor = (role: WorkspaceRole): Actor => ({
  userId: ACTOR_ID,
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});

describe('devicePolicy', () => {
  it.each<[WorkspaceRole, boolean, boolean]>([
    ['owner', false, true],
    ['admin', false, true],
    ['member', false, false],
    ['member', true, true],
    ['guest', false, false],
  ])("%s (host of the owner: %s) manages someone else's devices: %s", (role, actorHostsOwner, expected) => {
    const standing = { actor: actor(role), ownerId: OTHER_ID, actorHostsOwner };
    expect(devicePolicy.listOf(standing)).toBe(expected);
    expect(devicePolicy.removeOf(standing)).toBe(expected);
  });

  it('everyone manages their own devices', () => {
    for (const role of ['owner', 'admin', 'member', 'guest'] as const) {
      const standing = { actor: actor(role), ownerId: ACTOR_ID, actorHostsOwner: false };
      expect(devicePolicy.listOf(standing) && devicePolicy.removeOf(standing)).toBe(true);
    }
  });
});
