import type { Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { loadReview } from './shared.js';

export interface AccessReviewItemView {
  id: string;
  kind: 'guest' | 'grant';
  /** Who: the guest, the guest a grant is held by, or the partner for its own share. */
  holderName: string;
  holderEmail: string | null;
  /** The account a grant is for; null for a guest. */
  accountId: string | null;
  accountName: string | null;
  role: string;
  grantedBy: string | null;
  lastUsedAt: string | null;
  decision: AccessReviewDecision | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** The item whose **Remove** ended this access too, in words ("Gus User", "Instagram for Agency One"). */
  endedWith: string | null;
  /** The access no longer exists (ended by this review, or elsewhere since it started). */
  ended: boolean;
}

export interface AccessReviewView {
  id: string;
  partner: { id: string; name: string };
  status: 'open' | 'closed';
  startedAt: string;
  startedBy: string | null;
  closedAt: string | null;
  items: AccessReviewItemView[];
}

/** A review with every item, who decided it and when; open or closed. */
export async function getAccessReview(db: Kysely<Database>, actor: Actor, reviewId: string): Promise<AccessReviewView> {
  const { review, partner } = await loadReview(db, actor, reviewId);
  const rows = await db
    .selectFrom('access_review_items as i')
    .leftJoin('users as holder', 'holder.id', 'i.user_id')
    .leftJoin('accounts as a', 'a.id', 'i.account_id')
    .leftJoin('users as granter', 'granter.id', 'i.granted_by')
    .leftJoin('users as decider', 'decider.id', 'i.decided_by')
    .leftJoin('access_review_items as cause', 'cause.id', 'i.ended_by_item_id')
    .leftJoin('users as cause_holder', 'cause_holder.id', 'cause.user_id')
    .leftJoin('accounts as cause_account', 'cause_account.id', 'cause.account_id')
    .select([
      'i.id',
      'i.kind',
      'i.role',
      'i.last_used_at',
      'i.decision',
      'i.decided_at',
      'i.account_id',
      'holder.display_name as holder_name',
      'holder.email as holder_email',
      'a.name as account_name',
      'granter.display_name as granted_by_name',
      'decider.display_name as decided_by_name',
      'cause.id as cause_id',
      'cause_holder.display_name as cause_holder_name',
      'cause_account.name as cause_account_name',
    ])
    .select((eb) => [
      eb
        .case()
        .when('i.kind', '=', 'guest')
        .then(
          eb.not(
            eb.exists(
              eb
                .selectFrom('partner_members as pm')
                .select('pm.user_id')
                .whereRef('pm.user_id', '=', 'i.user_id')
                .where('pm.partner_id', '=', review.partner_id),
            ),
          ),
        )
        .else(eb.not(eb.exists(eb.selectFrom('grants as g').select('g.id').whereRef('g.id', '=', 'i.grant_id'))))
        .end()
        .as('ended'),
    ])
    .where('i.review_id', '=', reviewId)
    .orderBy('i.position')
    .execute();
  const starter = review.started_by
    ? await db.selectFrom('users').select('display_name').where('id', '=', review.started_by).executeTakeFirst()
    : undefined;
  return {
    id: review.id,
    partner: { id: partner.id, name: partner.name },
    status: review.status,
    startedAt: review.started_at.toISOString(),
    startedBy: starter?.display_name ?? null,
    closedAt: review.closed_at?.toISOString() ?? null,
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      holderName: r.holder_name ?? partner.name,
      holderEmail: r.holder_email,
      accountId: r.account_id,
      accountName: r.account_name,
      role: r.role,
      grantedBy: r.granted_by_name,
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
      decision: r.decision,
      decidedBy: r.decided_by_name,
      decidedAt: r.decided_at?.toISOString() ?? null,
      endedWith: r.cause_id
        ? r.cause_account_name
          ? `${r.cause_account_name} for ${r.cause_holder_name ?? partner.name}`
          : r.cause_holder_name
        : null,
      ended: Boolean(r.ended),
    })),
  };
}
