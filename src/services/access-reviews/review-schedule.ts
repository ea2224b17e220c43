import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { accessReviewPolicy, nextReviewDue, type ReviewIntervalDays } from '../../domain/policies/access-reviews.js';
import { ensure } from '../partner-access.js';
import { loadReviewedPartner, recordPartnerEvent } from './shared.js';

export interface ReviewSchedule {
  intervalDays: ReviewIntervalDays;
  dueAt: string;
  overdue: boolean;
}

export async function scheduleOf(db: Kysely<Database>, partnerId: string): Promise<ReviewSchedule | null> {
  const row = await db
    .selectFrom('access_review_schedules')
    .select(['interval_days', 'due_at', sql<boolean>`due_at <= now()`.as('overdue')])
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    intervalDays: row.interval_days as ReviewIntervalDays,
    dueAt: row.due_at.toISOString(),
    overdue: row.overdue,
  };
}

/** The partner setting: a review every 30, 90 or 180 days, or none (null). */
export async function setReviewSchedule(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  intervalDays: ReviewIntervalDays | null,
  context: RequestContext,
): Promise<ReviewSchedule | null> {
  const { standing } = await loadReviewedPartner(tx, actor, partnerId, { lock: true });
  ensure(accessReviewPolicy.schedule(standing), "Only the partner's host admins can schedule its access reviews.");
  const current = await scheduleOf(tx, partnerId);
  if ((current?.intervalDays ?? null) === intervalDays) return current;
  if (intervalDays === null) {
    await tx.deleteFrom('access_review_schedules').where('partner_id', '=', partnerId).execute();
  } else {
    // Due one interval after the last review closed, or after today when the partner was never reviewed.
    const last = await tx
      .selectFrom('access_reviews')
      .select((eb) => eb.fn.max('closed_at').as('closed_at'))
      .where('partner_id', '=', partnerId)
      .executeTakeFirst();
    const from = (last?.closed_at as Date | null | undefined) ?? new Date();
    const dueAt = nextReviewDue(new Date(from), intervalDays);
    await tx
      .insertInto('access_review_schedules')
      .values({
        partner_id: partnerId,
        workspace_id: actor.workspaceId,
        interval_days: intervalDays,
        due_at: dueAt,
        updated_by: actor.userId,
        updated_at: sql`now()`,
      })
      .onConflict((oc) =>
        oc.column('partner_id').doUpdateSet({
          interval_days: intervalDays,
          due_at: dueAt,
          reminded_at: null,
          updated_by: actor.userId,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  }
  await recordPartnerEvent(tx, actor, context, 'partner.access_review_scheduled', partnerId, { intervalDays });
  return scheduleOf(tx, partnerId);
}
