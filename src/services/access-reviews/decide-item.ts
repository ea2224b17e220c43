import { sql, type Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { conflict, notFound } from '../../domain/errors.js';
import { accountPolicy } from '../../domain/policies/accounts.js';
import { reviewComplete } from '../../domain/policies/access-reviews.js';
import { recordAccountEvent } from '../activity.js';
import { loadAccount } from '../account-access.js';
import { removeFromAccount, removeFromPartner } from '../account-sharing.js';
import { removeGuest } from '../partner-members.js';
import { closeReview } from './close-review.js';
import { loadReview, recordReviewEvent, type ReviewSubject } from './shared.js';

/**
 * **Keep** or **Remove** one item of an open review. Remove runs the product's removal use case (which asks
 * its own policy too): **Remove guest**, **Remove from partner**, or **Remove from account** for a grant a
 * guest holds; in an account's review, what the account's **Users** tab does (**Remove from account** for a
 * person's grant, **Remove from partner** for a partner share). Items whose access ended with it (a removed
 * guest's grants, the onward shares of a partner share) are recorded as removed along with it. The review
 * closes when every item is decided.
 */
export async function decideAccessReviewItem(
  tx: Kysely<Database>,
  actor: Actor,
  reviewId: string,
  itemId: string,
  decision: AccessReviewDecision,
  context: RequestContext,
): Promise<void> {
  // The review row lock serialises decisions, so the last one closes the review exactly once.
  const { review, subject } = await loadReview(tx, actor, reviewId, { lock: true });
  if (review.status !== 'open') throw conflict('access-review-closed', 'This access review is closed.');
  const item = await tx
    .selectFrom('access_review_items')
    .selectAll()
    .where('id', '=', itemId)
    .where('review_id', '=', reviewId)
    .executeTakeFirst();
  if (!item) throw notFound('Review item', 'This item is not part of this access review.');
  if (item.decision !== null) throw conflict('access-review-item-decided', 'This item has already been decided.');

  const stillThere = await accessExists(tx, subject, item);
  if (decision === 'keep' && !stillThere) {
    throw conflict('access-already-ended', 'This access has already ended; record it with Remove.');
  }
  if (decision === 'remove' && stillThere) await removeAccess(tx, actor, subject, item, context);

  await tx
    .updateTable('access_review_items')
    .set({ decision, decided_by: actor.userId, decided_at: sql`now()` })
    .where('id', '=', item.id)
    .execute();
  await recordReviewEvent(tx, actor, context, subject, 'access_review_decided', {
    reviewId,
    decision,
    kind: item.kind,
    role: item.role,
    ...(item.user_id && { userId: item.user_id }),
    ...(item.account_id && subject.kind === 'partner' && { accountId: item.account_id }),
    ...(item.partner_id && { partnerId: item.partner_id }),
  });
  if (decision === 'remove') await recordEndedWith(tx, actor, subject, reviewId, item.id);

  const items = await tx
    .selectFrom('access_review_items')
    .select('decision')
    .where('review_id', '=', reviewId)
    .execute();
  if (reviewComplete(items)) await closeReview(tx, actor, context, reviewId, subject);
}

type ReviewItemRow = {
  kind: 'guest' | 'grant';
  user_id: string | null;
  account_id: string | null;
  partner_id: string | null;
  grant_id: string | null;
};

async function accessExists(tx: Kysely<Database>, subject: ReviewSubject, item: ReviewItemRow): Promise<boolean> {
  if (item.kind === 'guest') {
    const member = await tx
      .selectFrom('partner_members')
      .select('user_id')
      .where('partner_id', '=', subject.id)
      .where('user_id', '=', item.user_id!)
      .executeTakeFirst();
    return member !== undefined;
  }
  const grant = await tx.selectFrom('grants').select('id').where('id', '=', item.grant_id!).executeTakeFirst();
  return grant !== undefined;
}

async function removeAccess(
  tx: Kysely<Database>,
  actor: Actor,
  subject: ReviewSubject,
  item: ReviewItemRow,
  context: RequestContext,
): Promise<void> {
  if (subject.kind === 'account') {
    // Exactly what the account's Users tab does; a partner share's onward shares end with it (they cascade).
    if (item.partner_id !== null) return removeFromPartner(tx, actor, item.partner_id, subject.id, context);
    return removeFromAccount(tx, actor, subject.id, item.user_id!, context);
  }
  const partnerId = subject.id;
  if (item.kind === 'guest') return removeGuest(tx, actor, partnerId, item.user_id!, context);
  if (item.user_id === null) return removeFromPartner(tx, actor, partnerId, item.account_id!, context);
  // A grant a guest holds hangs from the partner's share of the account. Its owners end it with
  // Remove from account; a reviewer who does not own the account ends it under the partner's authority,
  // which already reaches further (Remove from partner ends every onward share of the account at once).
  const account = await loadAccount(tx, actor, item.account_id!, { lock: true }).catch(() => null);
  if (account && accountPolicy.manageAccess(account.standing)) {
    return removeFromAccount(tx, actor, item.account_id!, item.user_id, context);
  }
  await tx.deleteFrom('grants').where('id', '=', item.grant_id!).execute();
  await recordAccountEvent(tx, actor, context, 'account.access_removed', item.account_id!, {
    userId: item.user_id,
    partnerId,
  });
}

/** Undecided items whose access ended with this removal are recorded as removed by it. */
async function recordEndedWith(
  tx: Kysely<Database>,
  actor: Actor,
  subject: ReviewSubject,
  reviewId: string,
  causeId: string,
): Promise<void> {
  const partnerId = subject.kind === 'partner' ? subject.id : null;
  await tx
    .updateTable('access_review_items as i')
    .set({ decision: 'remove', decided_by: actor.userId, decided_at: sql`now()`, ended_by_item_id: causeId })
    .where('i.review_id', '=', reviewId)
    .where('i.decision', 'is', null)
    .where((eb) => {
      const endedGrant = eb.and([
        eb('i.kind', '=', 'grant'),
        eb.not(eb.exists(eb.selectFrom('grants as g').select('g.id').whereRef('g.id', '=', 'i.grant_id'))),
      ]);
      // An account's review has grants only; a partner's has its guests too.
      if (partnerId === null) return endedGrant;
      return eb.or([
        eb.and([
          eb('i.kind', '=', 'guest'),
          eb.not(
            eb.exists(
              eb
                .selectFrom('partner_members as pm')
                .select('pm.user_id')
                .whereRef('pm.user_id', '=', 'i.user_id')
                .where('pm.partner_id', '=', partnerId),
            ),
          ),
        ]),
        endedGrant,
      ]);
    })
    .execute();
}
