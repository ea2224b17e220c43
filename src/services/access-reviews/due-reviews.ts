import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { isWorkspaceAdmin } from '../../domain/roles.js';

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
