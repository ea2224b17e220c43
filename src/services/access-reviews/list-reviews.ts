import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { scheduleOf, type ReviewSchedule } from './review-schedule.js';
import { loadReviewedAccount, loadReviewedPartner } from './shared.js';

export interface AccessReviewSummary {
  id: string;
  status: 'open' | 'closed';
  startedAt: string;
  startedBy: string | null;
  closedAt: string | null;
  items: number;
  decided: number;
  removed: number;
}

export interface PartnerAccessReviews {
  partner: { id: string; name: string };
  schedule: ReviewSchedule | null;
  reviews: AccessReviewSummary[];
}

export interface AccountAccessReviews {
  account: { id: string; name: string };
  reviews: AccessReviewSummary[];
}

/** The partner's reviews, newest first, and its schedule. */
export async function listAccessReviews(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
): Promise<PartnerAccessReviews> {
  const { partner } = await loadReviewedPartner(db, actor, partnerId);
  return {
    partner: { id: partner.id, name: partner.name },
    schedule: await scheduleOf(db, partnerId),
    reviews: await reviewSummaries(db, 'partner_id', partnerId),
  };
}

/** The account's reviews, newest first (its owners). */
export async function listAccountAccessReviews(
  db: Kysely<Database>,
  actor: Actor,
  accountId: string,
): Promise<AccountAccessReviews> {
  const { account } = await loadReviewedAccount(db, actor, accountId);
  return {
    account: { id: account.id, name: account.name },
    reviews: await reviewSummaries(db, 'account_id', accountId),
  };
}

/** The reviews of one partner or one account, newest first, with how far each got. */
async function reviewSummaries(
  db: Kysely<Database>,
  subject: 'partner_id' | 'account_id',
  subjectId: string,
): Promise<AccessReviewSummary[]> {
  const reviews = await db
    .selectFrom('access_reviews as r')
    .leftJoin('users as starter', 'starter.id', 'r.started_by')
    .select(['r.id', 'r.status', 'r.started_at', 'r.closed_at', 'starter.display_name as started_by_name'])
    .select((eb) => [
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .as('items'),
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .where('i.decision', 'is not', null)
        .as('decided'),
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .where('i.decision', '=', 'remove')
        .as('removed'),
    ])
    .where(`r.${subject}`, '=', subjectId)
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id')
    .execute();
  return reviews.map((r) => ({
    id: r.id,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    startedBy: r.started_by_name,
    closedAt: r.closed_at?.toISOString() ?? null,
    items: Number(r.items ?? 0),
    decided: Number(r.decided ?? 0),
    removed: Number(r.removed ?? 0),
  }));
}
