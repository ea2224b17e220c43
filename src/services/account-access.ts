import { sql, type Kysely } from 'kysely';
import type { Account, Database, ItemRole } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { forbidden, notFound } from '../domain/errors.js';
import type { AccountStanding } from '../domain/policies/accounts.js';
import type { PartnerStanding } from '../domain/policies/partners.js';

/** A grant (or guest) counts only before its end: `alias.column` is null or later than `at` (SPEC §8a). */
export const notEnded = (column: string, at: Date) =>
  sql<boolean>`(${sql.ref(column)} IS NULL OR ${sql.ref(column)} > ${at})`;

/**
 * Every account a user can use at `at`, with their effective role (SPEC §11): their own grant when they
 * have one, otherwise the role of a partner grant when they are guest admin of that partner now. One
 * query, the same for lists and for checks; each half uses its own index (grants by user, grants by
 * partner). A grant past its **Access until** gives nothing, and neither does an onward grant whose
 * partner share has ended, even before the sweeper deletes them.
 */
export function effectiveRoles(db: Kysely<Database>, userId: string, at: Date) {
  const own = db
    .selectFrom('grants as g')
    .leftJoin('grants as parent', 'parent.id', 'g.parent_grant_id')
    .select(['g.account_id', 'g.role', sql<number>`1`.as('priority')])
    .where('g.user_id', '=', userId)
    .where(notEnded('g.expires_at', at))
    .where(notEnded('parent.expires_at', at));
  const throughPartner = db
    .selectFrom('grants as g')
    .innerJoin('partner_members as pm', 'pm.partner_id', 'g.partner_id')
    .innerJoin('partners as p', 'p.id', 'g.partner_id')
    .select(['g.account_id', 'g.role', sql<number>`2`.as('priority')])
    .where('pm.user_id', '=', userId)
    .where('pm.role', '=', 'guest_admin')
    .where('p.status', '=', 'active')
    .where(notEnded('g.expires_at', at));
  return db
    .selectFrom(own.unionAll(throughPartner).as('e'))
    .distinctOn('e.account_id')
    .select(['e.account_id', 'e.role'])
    .orderBy('e.account_id')
    .orderBy('e.priority');
}

/** The moment the actor's request is judged at (the server's clock; see Actor.at). */
export const actorMoment = (actor: Actor): Date => new Date(actor.at ?? Date.now());

/**
 * The accounts the actor can use, with their role; nothing at all for a user who is not active or whose
 * **Guest access ends on** has come.
 */
export function accessibleAccounts(db: Kysely<Database>, actor: Actor) {
  const at = actorMoment(actor);
  return db
    .selectFrom(effectiveRoles(db, actor.userId, at).as('eff'))
    .innerJoin('accounts as a', 'a.id', 'eff.account_id')
    .innerJoin('users as u', (join) =>
      join
        .onRef('u.workspace_id', '=', 'a.workspace_id')
        .on('u.id', '=', actor.userId)
        .on('u.status', '=', 'active')
        .on(notEnded('u.access_ends_at', at)),
    )
    .where('a.deleted_at', 'is', null)
    .where('a.workspace_id', '=', actor.workspaceId);
}

export interface AccountContext {
  account: Account;
  standing: AccountStanding;
}

/**
 * Loads an account the actor can use, with their standing. An account they cannot use is reported as
 * missing, so its existence does not leak.
 */
export async function loadAccount(
  db: Kysely<Database>,
  actor: Actor,
  accountId: string,
  options: { lock?: boolean } = {},
): Promise<AccountContext> {
  let query = accessibleAccounts(db, actor)
    .selectAll('a')
    .select('eff.role as effective_role')
    .where('a.id', '=', accountId);
  if (options.lock) query = query.forUpdate('a');
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('Account', 'This account does not exist, or it is not shared with you.');
  const { effective_role, ...account } = row;
  return { account, standing: { actor, role: effective_role as ItemRole } };
}

/** Refuses with a 403 naming what the role lacks. */
export function ensureAccount(allowed: boolean, detail: string): void {
  if (!allowed) throw forbidden(detail);
}

/** The partner share a guest admin's role on the account comes from, if any. */
export async function partnerGrantOf(db: Kysely<Database>, accountId: string, guestAdminId: string) {
  return db
    .selectFrom('grants as g')
    .innerJoin('partner_members as pm', 'pm.partner_id', 'g.partner_id')
    .select(['g.id', 'g.partner_id', 'g.role'])
    .where('g.account_id', '=', accountId)
    .where('pm.user_id', '=', guestAdminId)
    .where('pm.role', '=', 'guest_admin')
    .executeTakeFirst();
}

/** The actor's standing in the partner whose share gives them the account (as its guest admin), if any. */
export async function sharingPartnerStanding(
  db: Kysely<Database>,
  actor: Actor,
  accountId: string,
): Promise<PartnerStanding | null> {
  const grant = await partnerGrantOf(db, accountId, actor.userId);
  return grant ? { actor, partnerRole: 'guest_admin' } : null;
}
