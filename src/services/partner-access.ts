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
  // The partner and the actor's role in it in one round trip.
  let query = db
    .selectFrom('partners as p')
    .selectAll('p')
    .select((eb) =>
      eb
        .selectFrom('partner_members as pm')
        .select('pm.role')
        .whereRef('pm.partner_id', '=', 'p.id')
        .where('pm.user_id', '=', actor.userId)
        .as('actor_partner_role'),
    )
    .where('p.id', '=', partnerId)
    .where('p.workspace_id', '=', actor.workspaceId)
    .where('p.status', '=', 'active');
  if (options.lock === 'share') query = query.forShare('p');
  else if (options.lock) query = query.forUpdate('p');
  const row = await query.executeTakeFirst();
  const { actor_partner_role: partnerRole, ...partner } = row ?? { actor_partner_role: null };
  const standing: PartnerStanding = { actor, partnerRole: partnerRole ?? null };
  if (!row || !partnerPolicy.view(standing))
    throw notFound('Partner', 'This partner does not exist, or you are not part of it.');
  return { partner: partner as Partner, standing };
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
