// **Review access** (SPEC §8a): a partner's access reviews, their items and decisions, its schedule, and
// the reviews that are due; an account's access reviews, as the API gives them.
import { call, client, type ResponseBody } from '../api';

export type PartnerAccessReviews = ResponseBody<'/api/v1/partners/{partnerId}/access-reviews', 'get'>;
export type AccessReviewSummary = PartnerAccessReviews['reviews'][number];
export type ReviewSchedule = NonNullable<PartnerAccessReviews['schedule']>;
export type AccessReview = ResponseBody<'/api/v1/access-reviews/{reviewId}', 'get'>;
export type AccessReviewItem = AccessReview['items'][number];
export type ReviewDecision = NonNullable<AccessReviewItem['decision']>;
export type ReviewInterval = ReviewSchedule['intervalDays'];
export type AccountAccessReviews = ResponseBody<'/api/v1/accounts/{accountId}/access-reviews', 'get'>;
export type DueAccessReview = ResponseBody<'/api/v1/access-reviews/due', 'get'>['due'][number];

export const REVIEW_INTERVALS: ReviewInterval[] = [30, 90, 180];

export const accessReviewsApi = {
  ofPartner: (partnerId: string) =>
    call(() => client.GET('/api/v1/partners/{partnerId}/access-reviews', { params: { path: { partnerId } } })),
  start: (partnerId: string) =>
    call(() => client.POST('/api/v1/partners/{partnerId}/access-reviews', { params: { path: { partnerId } } })),
  ofAccount: (accountId: string) =>
    call(() => client.GET('/api/v1/accounts/{accountId}/access-reviews', { params: { path: { accountId } } })),
  /** Starts the account's review, or opens the one already open. */
  startForAccount: (accountId: string) =>
    call(() => client.POST('/api/v1/accounts/{accountId}/access-reviews', { params: { path: { accountId } } })),
  get: (reviewId: string) =>
    call(() => client.GET('/api/v1/access-reviews/{reviewId}', { params: { path: { reviewId } } })),
  decide: (reviewId: string, itemId: string, decision: ReviewDecision) =>
    call(() =>
      client.POST('/api/v1/access-reviews/{reviewId}/items/{itemId}/decision', {
        params: { path: { reviewId, itemId } },
        body: { decision },
      }),
    ),
  schedule: (partnerId: string, intervalDays: ReviewInterval | null) =>
    call(() =>
      client.PATCH('/api/v1/partners/{partnerId}/access-review-schedule', {
        params: { path: { partnerId } },
        body: { intervalDays },
      }),
    ),
  due: () => call(() => client.GET('/api/v1/access-reviews/due')),
};

export const accessReviewKeys = {
  ofPartner: (partnerId: string) => ['partners', partnerId, 'access-reviews'] as const,
  ofAccount: (accountId: string) => ['accounts', 'detail', accountId, 'access-reviews'] as const,
  review: (reviewId: string) => ['access-reviews', reviewId] as const,
  due: ['access-reviews', 'due'] as const,
};

const ROLE_LABELS: Record<string, string> = {
  guest_admin: 'Guest admin',
  guest_user: 'Guest user',
  manager: 'Manager',
  collaborator: 'Collaborator',
  owner: 'Owner',
};

export const reviewRoleLabel = (role: string): string => ROLE_LABELS[role] ?? role;

/**
 * What one item is about, in words: "Gus User" for a guest, "Company Instagram for Gus User" for a grant in
 * a partner's review; in an account's review, whom the grant is for ("Gus User", "Agency One").
 */
export function reviewItemTitle(item: AccessReviewItem, review: Pick<AccessReview, 'account'>): string {
  if (item.kind === 'guest' || review.account) return item.holderName;
  return `${item.accountName ?? 'An account'} for ${item.holderName}`;
}
