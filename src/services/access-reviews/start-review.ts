import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { closeReview } from './close-review.js';
import { loadReviewedPartner, recordPartnerEvent } from './shared.js';

/**
 * Starts a review: every guest (role, who invited them, last use) and every grant reaching the partner
 * (role, who granted it, last use). One open review per partner: a second start is refused (409).
 */
export async function startAccessReview(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  context: RequestContext,
): Promise<string> {
  // The partner row lock serialises starts, so two reviewers cannot open two reviews at once.
  const { partner } = await loadReviewedPartner(tx, actor, partnerId, { lock: true });
  const open = await tx
    .selectFrom('access_reviews')
    .select('id')
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open) throw conflict('access-review-open', 'This partner already has an open access review: finish it first.');

  const guests = await tx
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select(['u.id', 'u.display_name', 'pm.role'])
    .select((eb) => [
      eb
        .selectFrom('invitations as inv')
        .select('inv.invited_by')
        .whereRef('inv.user_id', '=', 'u.id')
        .where('inv.partner_id', '=', partnerId)
        .orderBy('inv.created_at', 'asc')
        .limit(1)
        .as('invited_by'),
      eb
        .selectFrom('sessions as s')
        .select((c) => c.fn.max('s.last_seen_at').as('last'))
        .whereRef('s.user_id', '=', 'u.id')
        .as('last_used_at'),
    ])
    .where('pm.partner_id', '=', partnerId)
    .where('pm.role', '<>', 'host_admin')
    .orderBy(sql`CASE WHEN pm.role = 'guest_admin' THEN 0 ELSE 1 END`)
    .orderBy(sql`lower(u.display_name)`)
    .orderBy('u.id')
    .execute();
  const guestIds = guests.map((g) => g.id);
  // The partner's own shares, then the grants its guests hold (onward shares and roles set by owners).
  const grants = await tx
    .selectFrom('grants as g')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .leftJoin('users as holder', 'holder.id', 'g.user_id')
    .select(['g.id', 'g.account_id', 'g.user_id', 'g.role', 'g.granted_by', 'g.last_used_at'])
    .where('a.deleted_at', 'is', null)
    .where((eb) =>
      guestIds.length > 0
        ? eb.or([eb('g.partner_id', '=', partnerId), eb('g.user_id', 'in', guestIds)])
        : eb('g.partner_id', '=', partnerId),
    )
    .orderBy(sql`CASE WHEN g.partner_id IS NOT NULL THEN 0 ELSE 1 END`)
    .orderBy(sql`lower(a.name)`)
    .orderBy(sql`lower(holder.display_name)`)
    .orderBy('g.id')
    .execute();

  const review = await tx
    .insertInto('access_reviews')
    .values({ workspace_id: actor.workspaceId, partner_id: partnerId, started_by: actor.userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  const items = [
    ...guests.map((g) => ({
      kind: 'guest' as const,
      user_id: g.id,
      account_id: null,
      grant_id: null,
      role: g.role,
      granted_by: g.invited_by,
      last_used_at: (g.last_used_at as Date | null) ?? null,
    })),
    ...grants.map((g) => ({
      kind: 'grant' as const,
      user_id: g.user_id,
      account_id: g.account_id,
      grant_id: g.id,
      role: g.role,
      granted_by: g.granted_by,
      last_used_at: g.last_used_at,
    })),
  ];
  if (items.length > 0) {
    await tx
      .insertInto('access_review_items')
      .values(items.map((item, position) => ({ ...item, review_id: review.id, position })))
      .execute();
  }
  await recordPartnerEvent(tx, actor, context, 'partner.access_review_started', partner.id, {
    reviewId: review.id,
    items: items.length,
  });
  // Nothing to review: the review is complete as soon as it starts, and is kept as such.
  if (items.length === 0) {
    await closeReview(tx, actor, context, review.id, { kind: 'partner', id: partner.id, name: partner.name });
  }
  return review.id;
}
