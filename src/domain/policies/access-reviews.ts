import { isWorkspaceAdmin } from '../roles.js';
import { accountPolicy, type AccountStanding } from './accounts.js';
import type { PartnerStanding } from './partners.js';

/** The review intervals a partner may be scheduled for (SPEC §8a, issue 12). */
export const REVIEW_INTERVALS_DAYS = [30, 90, 180] as const;
export type ReviewIntervalDays = (typeof REVIEW_INTERVALS_DAYS)[number];

export type ReviewDecision = 'keep' | 'remove';

/**
 * **Review access** on a partner (SPEC §8a): host admins of the partner, and workspace owners and admins,
 * who may do everything a host admin may (SPEC §3). They are the people who may remove any guest of the
 * partner and remove any account from it, so every **Remove** a review offers is theirs to make; guest
 * admins, who may remove only guest users, do not review.
 */
const reviewsPartner = (s: PartnerStanding) => isWorkspaceAdmin(s.actor.role) || s.partnerRole === 'host_admin';

export const accessReviewPolicy = {
  /** See the partner's reviews, past and open, and its schedule. */
  view: reviewsPartner,
  start: reviewsPartner,
  decide: reviewsPartner,
  schedule: reviewsPartner,
} as const;

/**
 * **Review access** on an account (SPEC §8a): its owners, the people who manage its sharing (SPEC §1: they
 * remove members, end its partner shares, and with them their onward shares), so every **Remove** a review
 * offers is theirs to make. Workspace admins review an account only where they own it.
 */
const reviewsAccount = (s: AccountStanding) => accountPolicy.manageAccess(s);

export const accountAccessReviewPolicy = {
  /** See the account's reviews, past and open. */
  view: reviewsAccount,
  start: reviewsAccount,
  decide: reviewsAccount,
} as const;

/** What a review is of, with the actor's standing there. */
export type ReviewSubjectStanding =
  { kind: 'partner'; standing: PartnerStanding } | { kind: 'account'; standing: AccountStanding };

/** May the actor see and decide this review: the question every review-by-id route asks of its subject. */
export function reviewsSubject(subject: ReviewSubjectStanding): boolean {
  return subject.kind === 'partner'
    ? accessReviewPolicy.view(subject.standing)
    : accountAccessReviewPolicy.view(subject.standing);
}

/** When the next review is due: one interval after the last one closed (or after the schedule was set). */
export function nextReviewDue(from: Date, intervalDays: ReviewIntervalDays): Date {
  return new Date(from.getTime() + intervalDays * 24 * 60 * 60 * 1000);
}

/** A review closes when every item has a decision. */
export function reviewComplete(items: ReadonlyArray<{ decision: ReviewDecision | null }>): boolean {
  return items.every((item) => item.decision !== null);
}
