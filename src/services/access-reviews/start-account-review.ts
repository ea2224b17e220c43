import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { closeReview } from './close-review.js';
import { loadReviewedAccount, recordReviewEvent, type ReviewSubject } from './shared.js';

/**
 * **Review access** for an account (SPEC §8a), by its owners: every grant on the account as it stands now
 * (shares with members, its partner shares, and the onward shares guest managers made from them), each with
 * its role, who granted it, **Access until** and last use. One open review per account: starting again
 * returns the open one (`created: false`), so two owners starting at once review the same items.
 */
export async function startAccountAccessReview(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  context: RequestContext,
): Promise<{ reviewId: string; created: boolean }> {
  // The account row lock serialises starts; the partial unique index stands behind it.
  const { account } = await loadReviewedAccount(tx, actor, accountId, { lock: true });
  const open = await tx
    .selectFrom('access_reviews')
    .select('id')
    .where('account_id', '=', accountId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open) return { reviewId: open.id, created: false };

  // Members' shares (owners first), then the partner shares, then the grants guests hold (onward shares).
  const grants = await tx
    .selectFrom('grants as g')
    .leftJoin('users as holder', 'holder.id', 'g.user_id')
    .leftJoin('partners as p', 'p.id', 'g.partner_id')
    .select(['g.id', 'g.user_id', 'g.partner_id', 'g.role', 'g.granted_by', 'g.last_used_at', 'g.expires_at'])
    .where('g.account_id', '=', accountId)
    .orderBy(sql`CASE WHEN holder.kind = 'member' THEN 0 WHEN g.partner_id IS NOT NULL THEN 1 ELSE 2 END`)
    .orderBy(sql`CASE WHEN g.role = 'owner' THEN 0 WHEN g.role = 'manager' THEN 1 ELSE 2 END`)
    .orderBy(sql`lower(coalesce(holder.display_name, p.name))`)
    .orderBy('g.id')
    .execute();

  const review = await tx
    .insertInto('access_reviews')
    .values({ workspace_id: actor.workspaceId, account_id: accountId, started_by: actor.userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (grants.length > 0) {
    await tx
      .insertInto('access_review_items')
      .values(
        grants.map((g, position) => ({
          review_id: review.id,
          position,
          kind: 'grant' as const,
          user_id: g.user_id,
          partner_id: g.partner_id,
          account_id: accountId,
          grant_id: g.id,
          role: g.role,
          granted_by: g.granted_by,
          last_used_at: g.last_used_at,
          access_until: g.expires_at,
        })),
      )
      .execute();
  }
  const subject: ReviewSubject = { kind: 'account', id: account.id, name: account.name };
  await recordReviewEvent(tx, actor, context, subject, 'access_review_started', {
    reviewId: review.id,
    items: grants.length,
  });
  // An account always has an owner, so this is for completeness: nothing to review closes at once.
  if (grants.length === 0) await closeReview(tx, actor, context, review.id, subject);
  return { reviewId: review.id, created: true };
}
