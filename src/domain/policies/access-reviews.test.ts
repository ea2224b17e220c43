import { describe, expect, it } from 'vitest';
import type { ItemRole, PartnerRole, WorkspaceRole } from '../vocabulary.js';
import type { Actor } from '../actor.js';
import {
  accessReviewPolicy,
  accountAccessReviewPolicy,
  nextReviewDue,
  reviewComplete,
  reviewsSubject,
} from './access-reviews.js';

const actor = (role: WorkspaceRole): Actor => ({
  userId: '00000000-0000-4000-8000-000000000001',
  workspaceId: '00000000-0000-4000-8000-000000000002',
  role,
  status: 'active',
});

describe('accessReviewPolicy', () => {
  it.each<[WorkspaceRole, PartnerRole | null, boolean]>([
    ['owner', null, true],
    ['admin', null, true],
    ['member', 'host_admin', true],
    ['member', null, false],
    ['guest', 'guest_admin', false],
    ['guest', 'guest_user', false],
  ])('a workspace %s who is %s of the partner reviews its access: %s', (role, partnerRole, expected) => {
    const standing = { actor: actor(role), partnerRole };
    for (const rule of Object.values(accessReviewPolicy)) expect(rule(standing)).toBe(expected);
  });
});

describe('accountAccessReviewPolicy', () => {
  it.each<[WorkspaceRole, ItemRole, boolean]>([
    ['member', 'owner', true],
    ['admin', 'owner', true],
    ['owner', 'manager', false],
    ['admin', 'collaborator', false],
    ['member', 'manager', false],
    ['guest', 'manager', false],
    ['guest', 'collaborator', false],
  ])('a workspace %s who is %s of the account reviews its access: %s', (role, itemRole, expected) => {
    const standing = { actor: actor(role), role: itemRole };
    for (const rule of Object.values(accountAccessReviewPolicy)) expect(rule(standing)).toBe(expected);
    expect(reviewsSubject({ kind: 'account', standing })).toBe(expected);
  });
});

describe('nextReviewDue', () => {
  it('is one interval after the given moment', () => {
    expect(nextReviewDue(new Date('2026-01-01T00:00:00Z'), 90).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });
});

describe('reviewComplete', () => {
  it('needs a decision on every item', () => {
    expect(reviewComplete([{ decision: 'keep' }, { decision: null }])).toBe(false);
    expect(reviewComplete([{ decision: 'keep' }, { decision: 'remove' }])).toBe(true);
  });
});
