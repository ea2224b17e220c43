import { sql, type Kysely } from 'kysely';
import type { Database, Partner, PartnerRole } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { partnerPolicy, type PartnerStanding } from '../domain/policies/partners.js';

export interface PartnerContext {
  partner: Partner;
  standing: PartnerStanding;
}

/**
 * Loads an active partner of the actor's workspace with the actor's standing in it. A partner the actor
 * may not see is reported as missing, so its existence does not leak across partners.
 * With `lock`, the partner row is locked for the rest of the transaction (serialises changes to it); with
 * `lock: 'share'`, only against changes to it (removal, renaming), not against other sharers (invitations).
 */
export async function loadPartner(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  options: { lock?: boolean | 'share' } = {},
): Promise<PartnerContext> {
  let query = db
    .selectFrom('partners')
    .selectAll()
    .where('id', '=', partnerId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('status', '=', 'active');
  if (options.lock === 'share') query = query.forShare();
  else if (options.lock) query = query.forUpdate();
  const partner = await query.executeTakeFirst();
  const standing: PartnerStanding = {
    actor,
    partnerRole: partner ? await partnerRoleOf(db, partner.id, actor.userId) : null,
  };
  if (!partner || !partnerPolicy.view(standing))
    throw notFound('Partner', 'This partner does not exist, or you are not part of it.');
  return { partner, standing };
}

export async function partnerRoleOf(
  db: Kysely<Database>,
  partnerId: string,
  userId: string,
): Promise<PartnerRole | null> {
  const row = await db
    .selectFrom('partner_members')
    .select('role')
    .where('partner_id', '=', partnerId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** Throws a 403 naming the action when the policy refuses. */
export function ensure(allowed: boolean, detail: string): void {
  if (!allowed) throw forbidden(detail);
}

/** Ends every live session of a user (removal, deactivation). */
export async function endSessionsOf(tx: Kysely<Database>, userId: string): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ ended_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .execute();
}

export const partnerNameTaken = (name: string) =>
  new AppError('partner-name-taken', 409, 'Conflict', `A partner named "${name}" already exists in this workspace.`, [
    { path: 'name', message: 'Another partner already has this name.' },
  ]);
