import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { scheduleOf, type ReviewSchedule } from './review-schedule.js';
import { loadReviewedPartner } from './shared.js';

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

/** The partner's reviews, newest first, and its schedule. */
export async function listAccessReviews(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
): Promise<PartnerAccessReviews> {
  const { partner } = await loadReviewedPartner(db, actor, partnerId);
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
    .where('r.partner_id', '=', partnerId)
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id')
    .execute();
  return {
    partner: { id: partner.id, name: partner.name },
    schedule: await scheduleOf(db, partnerId),
    reviews: reviews.map((r) => ({
      id: r.id,
      status: r.status,
      startedAt: r.started_at.toISOString(),
      startedBy: r.started_by_name,
      closedAt: r.closed_at?.toISOString() ?? null,
      items: Number(r.items ?? 0),
      decided: Number(r.decided ?? 0),
      removed: Number(r.removed ?? 0),
    })),
  };
}
