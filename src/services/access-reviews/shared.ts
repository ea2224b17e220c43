import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { accessReviewPolicy, accountAccessReviewPolicy, reviewsSubject } from '../../domain/policies/access-reviews.js';
import { ensureAccount, loadAccount } from '../account-access.js';
import { recordAccountEvent, recordEvent } from '../activity.js';
import { ensure, loadPartner } from '../partner-access.js';

/**
 * **Review access** for a partner (SPEC §8a, issue 12): a snapshot of every guest of the partner and every
 * account grant reaching it (the partner's shares and the grants its guests hold), each decided **Keep** or
 * **Remove**. For an account, by its owners: every grant on the account (shares with members, partner
 * shares, onward shares), decided and kept the same way. **Remove** runs the removal use case the rest of
 * the product uses, so its effects (sessions ended, grants gone, activity events) are the same and hold on
 * the guest's next request.
 *
 * One use case per file in this folder (start-review, start-account-review, decide-item, close-review,
 * get-review, list-reviews, review-schedule, due-reviews, due-reminders); this one holds what they share:
 * loading the partner, the account or the review as its reviewer sees it, and the review's activity events.
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

/** What a review is of: a partner (SPEC §8a, reviewed by its host admins) or an account (by its owners). */
export type ReviewSubject = { kind: 'partner' | 'account'; id: string; name: string };

/**
 * A review as its reviewer sees it, with its subject. Someone who cannot see the partner or the account
 * cannot learn that the review exists (404); those who can see it but may not review it get a 403.
 */
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
  if (review.partner_id !== null) {
    const { partner, standing } = await loadPartner(db, actor, review.partner_id, options).catch(() => {
      throw reviewNotFound();
    });
    ensure(reviewsSubject({ kind: 'partner', standing }), "Only the partner's host admins can review its access.");
    const subject: ReviewSubject = { kind: 'partner', id: partner.id, name: partner.name };
    return { review, subject };
  }
  const { account, standing } = await loadAccount(db, actor, review.account_id!, options).catch(() => {
    throw reviewNotFound();
  });
  ensureAccount(reviewsSubject({ kind: 'account', standing }), "Only the account's owners can review its access.");
  const subject: ReviewSubject = { kind: 'account', id: account.id, name: account.name };
  return { review, subject };
}

/** The account as its reviewer sees it: 404 for those who cannot use it, 403 for those who do not own it. */
export async function loadReviewedAccount(
  db: Kysely<Database>,
  actor: Actor,
  accountId: string,
  options: { lock?: boolean } = {},
) {
  const context = await loadAccount(db, actor, accountId, options);
  ensureAccount(accountAccessReviewPolicy.view(context.standing), "Only the account's owners can review its access.");
  return context;
}

/** The review's own activity events: a partner's review is the partner's history, an account's the account's. */
export function recordReviewEvent(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  subject: ReviewSubject,
  action: 'access_review_started' | 'access_review_decided' | 'access_review_closed',
  details: Record<string, unknown>,
) {
  return subject.kind === 'partner'
    ? recordPartnerEvent(tx, actor, context, `partner.${action}`, subject.id, details)
    : recordAccountEvent(tx, actor, context, `account.${action}`, subject.id, details);
}
