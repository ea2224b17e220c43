import { sql, type Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { recordReviewEvent, type ReviewSubject } from './shared.js';

/**
 * Closes an open review (once: a closed one is left alone) and records the counts; a partner's schedule
 * restarts from it (accounts have none).
 */
export async function closeReview(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  reviewId: string,
  subject: ReviewSubject,
): Promise<void> {
  const closed = await tx
    .updateTable('access_reviews')
    .set({ status: 'closed', closed_at: sql`now()` })
    .where('id', '=', reviewId)
    .where('status', '=', 'open')
    .returning('closed_at')
    .executeTakeFirst();
  if (!closed) return;
  if (subject.kind === 'partner') {
    // The next review is due one interval after this one closed; its reminder is owed again.
    await tx
      .updateTable('access_review_schedules')
      .set({
        due_at: sql`now() + make_interval(days => interval_days)`,
        reminded_at: null,
      })
      .where('partner_id', '=', subject.id)
      .execute();
  }
  const counts = await tx
    .selectFrom('access_review_items')
    .select(['decision', (eb) => eb.fn.countAll<string>().as('n')])
    .where('review_id', '=', reviewId)
    .groupBy('decision')
    .execute();
  const count = (d: AccessReviewDecision) => Number(counts.find((c) => c.decision === d)?.n ?? 0);
  await recordReviewEvent(tx, actor, context, subject, 'access_review_closed', {
    reviewId,
    kept: count('keep'),
    removed: count('remove'),
  });
}
