import { sql, type Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { recordPartnerEvent } from './shared.js';

/** Closes an open review (once: a closed one is left alone), restarts its schedule and records the counts. */
export async function closeReview(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  reviewId: string,
  partnerId: string,
): Promise<void> {
  const closed = await tx
    .updateTable('access_reviews')
    .set({ status: 'closed', closed_at: sql`now()` })
    .where('id', '=', reviewId)
    .where('status', '=', 'open')
    .returning('closed_at')
    .executeTakeFirst();
  if (!closed) return;
  // The next review is due one interval after this one closed; its reminder is owed again.
  await tx
    .updateTable('access_review_schedules')
    .set({
      due_at: sql`now() + make_interval(days => interval_days)`,
      reminded_at: null,
    })
    .where('partner_id', '=', partnerId)
    .execute();
  const counts = await tx
    .selectFrom('access_review_items')
    .select(['decision', (eb) => eb.fn.countAll<string>().as('n')])
    .where('review_id', '=', reviewId)
    .groupBy('decision')
    .execute();
  const count = (d: AccessReviewDecision) => Number(counts.find((c) => c.decision === d)?.n ?? 0);
  await recordPartnerEvent(tx, actor, context, 'partner.access_review_closed', partnerId, {
    reviewId,
    kept: count('keep'),
    removed: count('remove'),
  });
}
