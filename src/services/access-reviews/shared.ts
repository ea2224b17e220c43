import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { accessReviewPolicy } from '../../domain/policies/access-reviews.js';
import { recordEvent } from '../activity.js';
import { ensure, loadPartner } from '../partner-access.js';

/**
 * **Review access** for a partner (SPEC §8a, issue 12): a snapshot of every guest of the partner and every
 * account grant reaching it (the partner's shares and the grants its guests hold), each decided **Keep** or
 * **Remove**. **Remove** runs the removal use case the rest of the product uses, so its effects (sessions
 * ended, grants gone, activity events) are the same and hold on the guest's next request.
 *
 * One use case per file in this folder (start-review, decide-item, close-review, get-review, list-reviews,
 * review-schedule, due-reviews, due-reminders); this one holds what they share: loading the partner or the
 * review as its reviewer sees it, and the partner's activity events.
 */

const reviewNotFound = () => notFound('Access review', 'This access review does not exist, or you cannot see it.');

/** The partner as its reviewer sees it: 404 for those who cannot see the partner, 403 for its guests. */
export async function loadReviewedPartner(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  options: { lock?: boolean } = {},
) {
  const context = await loadPartner(db, actor, partnerId, options);
  ensure(accessReviewPolicy.view(context.standing), "Only the partner's host admins can review its access.");
  return context;
}

export function recordPartnerEvent(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  action: string,
  partnerId: string,
  details: Record<string, unknown>,
) {
  return recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action,
    targetType: 'partner',
    targetId: partnerId,
    context,
    details,
  });
}

export async function loadReview(
  db: Kysely<Database>,
  actor: Actor,
  reviewId: string,
  options: { lock?: boolean } = {},
) {
  let query = db
    .selectFrom('access_reviews')
    .selectAll()
    .where('id', '=', reviewId)
    .where('workspace_id', '=', actor.workspaceId);
  if (options.lock) query = query.forUpdate();
  const review = await query.executeTakeFirst();
  if (!review) throw reviewNotFound();
  // Someone who cannot see the partner cannot learn that the review exists; its guests are refused.
  const { partner, standing } = await loadPartner(db, actor, review.partner_id, options).catch(() => {
    throw reviewNotFound();
  });
  ensure(accessReviewPolicy.view(standing), "Only the partner's host admins can review its access.");
  return { review, partner };
}
