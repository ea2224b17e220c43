import { sql, type Kysely } from 'kysely';
import type { AccessReviewDecision, Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, notFound } from '../domain/errors.js';
import { accountPolicy } from '../domain/policies/accounts.js';
import {
  accessReviewPolicy,
  nextReviewDue,
  reviewComplete,
  type ReviewIntervalDays,
} from '../domain/policies/access-reviews.js';
import { isWorkspaceAdmin } from '../domain/roles.js';
import { accessReviewDueMail } from '../mail/access-review-mails.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { recordAccountEvent, recordEvent } from './activity.js';
import { loadAccount } from './account-access.js';
import { removeFromAccount, removeFromPartner } from './account-sharing.js';
import { ensure, loadPartner } from './partner-access.js';
import { removeGuest } from './partner-members.js';

/**
 * **Review access** for a partner (SPEC §8a, issue 12): a snapshot of every guest of the partner and every
 * account grant reaching it (the partner's shares and the grants its guests hold), each decided **Keep** or
 * **Remove**. **Remove** runs the removal use case the rest of the product uses, so its effects (sessions
 * ended, grants gone, activity events) are the same and hold on the guest's next request.
 */

export interface AccessReviewSummary {
  id: string;
  status: 'open' | 'closed';
  startedAt: string;
  startedBy: string | null;
  closedAt: string | null;
  items: number;
  decided: number;
  removed: number;
}

export interface ReviewSchedule {
  intervalDays: ReviewIntervalDays;
  dueAt: string;
  overdue: boolean;
}

export interface PartnerAccessReviews {
  partner: { id: string; name: string };
  schedule: ReviewSchedule | null;
  reviews: AccessReviewSummary[];
}

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

const reviewNotFound = () => notFound('Access review', 'This access review does not exist, or you cannot see it.');

/** The partner as its reviewer sees it: 404 for those who cannot see the partner, 403 for its guests. */
async function loadReviewedPartner(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  options: { lock?: boolean } = {},
) {
  const context = await loadPartner(db, actor, partnerId, options);
  ensure(accessReviewPolicy.view(context.standing), "Only the partner's host admins can review its access.");
  return context;
}

/** The partner's reviews, newest first, and its schedule. */
export async function listAccessReviews(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
): Promise<PartnerAccessReviews> {
  const { partner } = await loadReviewedPartner(db, actor, partnerId);
  const reviews = await db
    .selectFrom('access_reviews as r')
    .leftJoin('users as starter', 'starter.id', 'r.started_by')
    .select(['r.id', 'r.status', 'r.started_at', 'r.closed_at', 'starter.display_name as started_by_name'])
    .select((eb) => [
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .as('items'),
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .where('i.decision', 'is not', null)
        .as('decided'),
      eb
        .selectFrom('access_review_items as i')
        .select((c) => c.fn.countAll<string>().as('n'))
        .whereRef('i.review_id', '=', 'r.id')
        .where('i.decision', '=', 'remove')
        .as('removed'),
    ])
    .where('r.partner_id', '=', partnerId)
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id')
    .execute();
  return {
    partner: { id: partner.id, name: partner.name },
    schedule: await scheduleOf(db, partnerId),
    reviews: reviews.map((r) => ({
      id: r.id,
      status: r.status,
      startedAt: r.started_at.toISOString(),
      startedBy: r.started_by_name,
      closedAt: r.closed_at?.toISOString() ?? null,
      items: Number(r.items ?? 0),
      decided: Number(r.decided ?? 0),
      removed: Number(r.removed ?? 0),
    })),
  };
}

async function scheduleOf(db: Kysely<Database>, partnerId: string): Promise<ReviewSchedule | null> {
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
  if (items.length === 0) await closeReview(tx, actor, context, review.id, partner.id);
  return review.id;
}

function recordPartnerEvent(
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

async function loadReview(db: Kysely<Database>, actor: Actor, reviewId: string, options: { lock?: boolean } = {}) {
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

/**
 * **Keep** or **Remove** one item of an open review. Remove runs the product's removal use case (which asks
 * its own policy too): **Remove guest**, **Remove from partner**, or **Remove from account** for a grant a
 * guest holds. Items whose access ended with it (a removed guest's grants, the onward shares of a partner
 * share) are recorded as removed along with it. The review closes when every item is decided.
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
  const { review, partner } = await loadReview(tx, actor, reviewId, { lock: true });
  if (review.status !== 'open') throw conflict('access-review-closed', 'This access review is closed.');
  const item = await tx
    .selectFrom('access_review_items')
    .selectAll()
    .where('id', '=', itemId)
    .where('review_id', '=', reviewId)
    .executeTakeFirst();
  if (!item) throw notFound('Review item', 'This item is not part of this access review.');
  if (item.decision !== null) throw conflict('access-review-item-decided', 'This item has already been decided.');

  const stillThere = await accessExists(tx, partner.id, item);
  if (decision === 'keep' && !stillThere) {
    throw conflict('access-already-ended', 'This access has already ended; record it with Remove.');
  }
  if (decision === 'remove' && stillThere) await removeAccess(tx, actor, partner.id, item, context);

  await tx
    .updateTable('access_review_items')
    .set({ decision, decided_by: actor.userId, decided_at: sql`now()` })
    .where('id', '=', item.id)
    .execute();
  await recordPartnerEvent(tx, actor, context, 'partner.access_review_decided', partner.id, {
    reviewId,
    decision,
    kind: item.kind,
    role: item.role,
    ...(item.user_id && { userId: item.user_id }),
    ...(item.account_id && { accountId: item.account_id }),
  });
  if (decision === 'remove') await recordEndedWith(tx, actor, partner.id, reviewId, item.id);

  const items = await tx
    .selectFrom('access_review_items')
    .select('decision')
    .where('review_id', '=', reviewId)
    .execute();
  if (reviewComplete(items)) await closeReview(tx, actor, context, reviewId, partner.id);
}

type ReviewItemRow = {
  kind: 'guest' | 'grant';
  user_id: string | null;
  account_id: string | null;
  grant_id: string | null;
};

async function accessExists(tx: Kysely<Database>, partnerId: string, item: ReviewItemRow): Promise<boolean> {
  if (item.kind === 'guest') {
    const member = await tx
      .selectFrom('partner_members')
      .select('user_id')
      .where('partner_id', '=', partnerId)
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
  partnerId: string,
  item: ReviewItemRow,
  context: RequestContext,
): Promise<void> {
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
  partnerId: string,
  reviewId: string,
  causeId: string,
): Promise<void> {
  await tx
    .updateTable('access_review_items as i')
    .set({ decision: 'remove', decided_by: actor.userId, decided_at: sql`now()`, ended_by_item_id: causeId })
    .where('i.review_id', '=', reviewId)
    .where('i.decision', 'is', null)
    .where((eb) =>
      eb.or([
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
        eb.and([
          eb('i.kind', '=', 'grant'),
          eb.not(eb.exists(eb.selectFrom('grants as g').select('g.id').whereRef('g.id', '=', 'i.grant_id'))),
        ]),
      ]),
    )
    .execute();
}

async function closeReview(
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

export interface DueAccessReview {
  partnerId: string;
  partnerName: string;
  dueAt: string;
  openReviewId: string | null;
}

/** The dashboard's **Access reviews due**: scheduled reviews past their date, of partners the actor reviews. */
export async function dueAccessReviews(db: Kysely<Database>, actor: Actor): Promise<DueAccessReview[]> {
  if (actor.role === 'guest') return [];
  let query = db
    .selectFrom('access_review_schedules as s')
    .innerJoin('partners as p', 'p.id', 's.partner_id')
    .select(['p.id', 'p.name', 's.due_at'])
    .select((eb) =>
      eb
        .selectFrom('access_reviews as r')
        .select('r.id')
        .whereRef('r.partner_id', '=', 'p.id')
        .where('r.status', '=', 'open')
        .as('open_review_id'),
    )
    .where('p.workspace_id', '=', actor.workspaceId)
    .where('p.status', '=', 'active')
    .where('s.due_at', '<=', sql<Date>`now()`);
  if (!isWorkspaceAdmin(actor.role)) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('partner_members as pm')
          .select('pm.user_id')
          .whereRef('pm.partner_id', '=', 'p.id')
          .where('pm.user_id', '=', actor.userId)
          .where('pm.role', '=', 'host_admin'),
      ),
    );
  }
  const rows = await query.orderBy('s.due_at').orderBy('p.id').execute();
  return rows.map((r) => ({
    partnerId: r.id,
    partnerName: r.name,
    dueAt: r.due_at.toISOString(),
    openReviewId: r.open_review_id,
  }));
}

export interface ReminderDeps extends MailKeys {
  publicUrl: URL;
}

/**
 * Emails the host admins of every partner whose scheduled review has come due, once per due date. Safe
 * with several servers: the reminder is marked sent by the same UPDATE that claims the schedule, in the
 * transaction that queues the mail, so a second server finds nothing left to claim.
 */
export async function sendDueReviewReminders(tx: Kysely<Database>, deps: ReminderDeps): Promise<number> {
  const due = await tx
    .updateTable('access_review_schedules as s')
    .set({ reminded_at: sql`now()` })
    .from('partners as p')
    .whereRef('p.id', '=', 's.partner_id')
    .where('p.status', '=', 'active')
    .where('s.reminded_at', 'is', null)
    .where('s.due_at', '<=', sql<Date>`now()`)
    .returning(['s.partner_id', 's.workspace_id', 's.interval_days', 's.due_at', 'p.name as partner_name'])
    .execute();
  for (const schedule of due) {
    const workspace = await tx
      .selectFrom('workspaces')
      .select('name')
      .where('id', '=', schedule.workspace_id)
      .executeTakeFirstOrThrow();
    const hosts = await tx
      .selectFrom('partner_members as pm')
      .innerJoin('users as u', 'u.id', 'pm.user_id')
      .select(['u.email', 'u.display_name'])
      .where('pm.partner_id', '=', schedule.partner_id)
      .where('pm.role', '=', 'host_admin')
      .where('u.status', '=', 'active')
      .orderBy('u.email')
      .execute();
    const reviewUrl = new URL(`/app/partners/${schedule.partner_id}/access-reviews`, deps.publicUrl).toString();
    for (const host of hosts) {
      const mail = accessReviewDueMail({
        workspaceName: workspace.name,
        displayName: host.display_name,
        partnerName: schedule.partner_name,
        intervalDays: schedule.interval_days,
        dueAt: schedule.due_at,
        reviewUrl,
      });
      await enqueueMail(tx, deps, {
        workspaceId: schedule.workspace_id,
        kind: 'access_review_due',
        to: host.email,
        ...mail,
      });
    }
    await recordEvent(tx, {
      workspaceId: schedule.workspace_id,
      actorId: null,
      action: 'partner.access_review_due',
      targetType: 'partner',
      targetId: schedule.partner_id,
      context: { ip: null, userAgent: null },
      details: { dueAt: schedule.due_at.toISOString(), reminded: hosts.length },
    });
  }
  return due.length;
}
