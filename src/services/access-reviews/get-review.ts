import type { Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { loadReview } from './shared.js';

export interface AccessReviewItemView {
  id: string;
  kind: 'guest' | 'grant';
  /** Who: the guest, the person a grant is held by, or the partner for a partner share. */
  holderName: string;
  holderEmail: string | null;
  /** What the holder is: a workspace member, a guest, or a partner (its share). */
  holderKind: 'member' | 'guest' | 'partner';
  /** The account a grant is for; null for a guest. */
  accountId: string | null;
  accountName: string | null;
  role: string;
  grantedBy: string | null;
  lastUsedAt: string | null;
  /** The grant's **Access until** when the review started (account reviews), or null. */
  accessUntil: string | null;
  /** The partner a guest belongs to (account reviews: whose share an onward share hangs from). */
  sharedVia: string | null;
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
  /** What is under review: a partner or an account (the other is null). */
  partner: { id: string; name: string } | null;
  account: { id: string; name: string } | null;
  status: 'open' | 'closed';
  startedAt: string;
  startedBy: string | null;
  closedAt: string | null;
  items: AccessReviewItemView[];
}

/** A review with every item, who decided it and when; open or closed. */
export async function getAccessReview(db: Kysely<Database>, actor: Actor, reviewId: string): Promise<AccessReviewView> {
  const { review, subject } = await loadReview(db, actor, reviewId);
  const rows = await db
    .selectFrom('access_review_items as i')
    .innerJoin('access_reviews as r', 'r.id', 'i.review_id')
    .leftJoin('users as holder', 'holder.id', 'i.user_id')
    .leftJoin('partners as holder_partner', 'holder_partner.id', 'i.partner_id')
    .leftJoin('partner_members as holder_member', (join) =>
      join.onRef('holder_member.user_id', '=', 'i.user_id').on('holder_member.role', '<>', 'host_admin'),
    )
    .leftJoin('partners as via', 'via.id', 'holder_member.partner_id')
    .leftJoin('accounts as a', 'a.id', 'i.account_id')
    .leftJoin('users as granter', 'granter.id', 'i.granted_by')
    .leftJoin('users as decider', 'decider.id', 'i.decided_by')
    .leftJoin('access_review_items as cause', 'cause.id', 'i.ended_by_item_id')
    .leftJoin('users as cause_holder', 'cause_holder.id', 'cause.user_id')
    .leftJoin('partners as cause_partner', 'cause_partner.id', 'cause.partner_id')
    .leftJoin('accounts as cause_account', 'cause_account.id', 'cause.account_id')
    .select([
      'i.id',
      'i.kind',
      'i.role',
      'i.last_used_at',
      'i.access_until',
      'i.decision',
      'i.decided_at',
      'i.account_id',
      'holder.display_name as holder_name',
      'holder.email as holder_email',
      'holder.kind as holder_kind',
      'holder_partner.name as holder_partner_name',
      'via.name as via_name',
      'a.name as account_name',
      'granter.display_name as granted_by_name',
      'decider.display_name as decided_by_name',
      'cause.id as cause_id',
      'cause_holder.display_name as cause_holder_name',
      'cause_partner.name as cause_partner_name',
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
                .whereRef('pm.partner_id', '=', 'r.partner_id'),
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
  const named = { id: subject.id, name: subject.name };
  // A grant with no person behind it is a partner share: the partner under review, or the one named.
  const partnerName = (name: string | null) => name ?? (subject.kind === 'partner' ? subject.name : 'a partner');
  return {
    id: review.id,
    partner: subject.kind === 'partner' ? named : null,
    account: subject.kind === 'account' ? named : null,
    status: review.status,
    startedAt: review.started_at.toISOString(),
    startedBy: starter?.display_name ?? null,
    closedAt: review.closed_at?.toISOString() ?? null,
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      holderName: r.holder_name ?? partnerName(r.holder_partner_name),
      holderEmail: r.holder_email,
      holderKind: r.holder_kind === 'member' ? 'member' : r.holder_kind === 'guest' ? 'guest' : 'partner',
      accountId: r.account_id,
      accountName: r.account_name,
      role: r.role,
      grantedBy: r.granted_by_name,
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
      accessUntil: r.access_until?.toISOString() ?? null,
      sharedVia: r.holder_kind === 'guest' ? r.via_name : null,
      decision: r.decision,
      decidedBy: r.decided_by_name,
      decidedAt: r.decided_at?.toISOString() ?? null,
      endedWith: r.cause_id
        ? r.cause_account_name
          ? `${r.cause_account_name} for ${r.cause_holder_name ?? partnerName(r.cause_partner_name)}`
          : r.cause_holder_name
        : null,
      ended: Boolean(r.ended),
    })),
  };
}
