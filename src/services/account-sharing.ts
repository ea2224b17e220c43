import { sql, type Kysely } from 'kysely';
import type { Database, ItemRole } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError, conflict, forbidden, notFound } from '../domain/errors.js';
import { accountPolicy } from '../domain/policies/accounts.js';
import { sharingPolicy, type SharingRefusal } from '../domain/policies/sharing.js';
import { recordAccountEvent } from './activity.js';
import { actorMoment, effectiveRoles, ensureAccount, loadAccount, partnerGrantOf } from './account-access.js';
import { loadPartner } from './partner-access.js';
import {
  notifyAccessPassedOn,
  notifyAccountSharedWithMember,
  notifyAccountSharedWithPartner,
} from './notifications.js';
import { chosenEnd } from './access-ends.js';

/** Sharing (SPEC §1, §3): every rule is the sharing policy's; the web app's permissions ask it too. */

/** Refuses with a 403 saying what the refusing half lacks. */
function ensureSharing(refusal: SharingRefusal | null, details: Partial<Record<SharingRefusal, string>>): void {
  if (refusal) throw forbidden(details[refusal] ?? 'You cannot share this account this way.');
}

async function loadActiveUser(tx: Kysely<Database>, actor: Actor, userId: string) {
  const user = await tx
    .selectFrom('users')
    .select(['id', 'kind', 'status', 'email'])
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .executeTakeFirst();
  if (!user || user.status === 'deactivated')
    throw notFound('User', 'This person is not an active user of the workspace.');
  return user;
}

/** Owners share with workspace members, as owner or collaborator. */
export async function shareWithMember(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  input: { userId: string; role: Extract<ItemRole, 'owner' | 'collaborator'>; accessUntil?: Date | null },
  context: RequestContext,
): Promise<void> {
  const { standing } = await loadAccount(tx, actor, accountId, { lock: true });
  const user = await loadActiveUser(tx, actor, input.userId);
  const expiresAt = chosenEnd(actor, input.accessUntil, 'accessUntil');
  ensureSharing(sharingPolicy.shareWithMember(standing, user), {
    account: 'Only owners can share this account.',
    target: 'Guests get accounts through their partner: share the account with the partner instead.',
  });
  await tx
    .insertInto('grants')
    .values({
      account_id: accountId,
      user_id: user.id,
      role: input.role,
      granted_by: actor.userId,
      expires_at: expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'account_id'])
        .where('user_id', 'is not', null)
        .doUpdateSet({ role: input.role, expires_at: expiresAt, expiry_warned_at: null }),
    )
    .execute();
  await recordAccountEvent(tx, actor, context, 'account.shared_with_member', accountId, {
    userId: user.id,
    role: input.role,
    ...(expiresAt && { accessUntil: expiresAt.toISOString() }),
  });
  await notifyAccountSharedWithMember(tx, actor, accountId, user.id, input.role, expiresAt);
}

/**
 * **Share accounts** with a partner: the actor owns each account and is host admin of the partner. The
 * share reaches whoever is guest admin of the partner now.
 */
export async function shareWithPartner(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  items: Array<{ accountId: string; role: Extract<ItemRole, 'manager' | 'collaborator'> }>,
  context: RequestContext,
  accessUntil?: Date | null,
): Promise<void> {
  const { standing: partner } = await loadPartner(tx, actor, partnerId, { lock: true });
  const expiresAt = chosenEnd(actor, accessUntil, 'accessUntil');
  for (const item of items) {
    const { standing: account } = await loadAccount(tx, actor, item.accountId, { lock: true });
    ensureSharing(sharingPolicy.shareWithPartner(account, partner), {
      partner: 'Only host admins of this partner can share accounts with it.',
      account: 'You can share only accounts you own.',
    });
    await tx
      .insertInto('grants')
      .values({
        account_id: item.accountId,
        partner_id: partnerId,
        role: item.role,
        granted_by: actor.userId,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['partner_id', 'account_id'])
          .where('partner_id', 'is not', null)
          .doUpdateSet({ role: item.role, expires_at: expiresAt, expiry_warned_at: null }),
      )
      .execute();
    await recordAccountEvent(tx, actor, context, 'account.shared_with_partner', item.accountId, {
      partnerId,
      role: item.role,
      ...(expiresAt && { accessUntil: expiresAt.toISOString() }),
    });
  }
  await notifyAccountSharedWithPartner(tx, actor, partnerId, items, expiresAt);
}

/**
 * Ends the partner share and every onward share made from it (they cascade with it). Host admins may end
 * any share with their partner (SPEC §3); the account's owners may end its share with any partner.
 */
export async function removeFromPartner(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  accountId: string,
  context: RequestContext,
): Promise<void> {
  // An account the actor cannot use gives no standing. The partner is loaded only when the account alone
  // does not allow the removal, and one they cannot see is reported as missing.
  const account = await loadAccount(tx, actor, accountId, { lock: true }).then(
    ({ standing }) => standing,
    () => null,
  );
  const partner =
    sharingPolicy.removeFromPartner(account, null) === null
      ? null
      : (await loadPartner(tx, actor, partnerId, { lock: true })).standing;
  ensureSharing(sharingPolicy.removeFromPartner(account, partner), {
    both: "Only host admins of this partner and the account's owners can remove it from the partner.",
  });
  const removed = await tx
    .deleteFrom('grants')
    .where('partner_id', '=', partnerId)
    .where('account_id', '=', accountId)
    .returning('id')
    .executeTakeFirst();
  if (!removed) throw notFound('Share', 'This account is not shared with this partner.');
  await recordAccountEvent(tx, actor, context, 'account.removed_from_partner', accountId, { partnerId });
}

/**
 * **Share Access**: a manager passes the account on to a guest user of the same partner, as collaborator
 * only. The onward share hangs from the partner share, so removing that removes this too.
 */
export async function shareOnward(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  guestUserId: string,
  context: RequestContext,
  accessUntil?: Date | null,
): Promise<void> {
  const { standing } = await loadAccount(tx, actor, accountId, { lock: true });
  const expiresAt = chosenEnd(actor, accessUntil, 'accessUntil');
  const parent = await partnerGrantOf(tx, accountId, actor.userId);
  // partnerGrantOf finds only the share of a partner the actor is guest admin of.
  const partner = parent ? { actor, partnerRole: 'guest_admin' as const } : null;
  const target = parent
    ? await tx
        .selectFrom('partner_members as pm')
        .innerJoin('users as u', 'u.id', 'pm.user_id')
        .select(['pm.role', 'u.status'])
        .where('pm.partner_id', '=', parent.partner_id)
        .where('pm.user_id', '=', guestUserId)
        .executeTakeFirst()
    : undefined;
  const refusal = sharingPolicy.shareOnward(standing, partner, {
    partnerRole: target?.role ?? null,
    active: target !== undefined && target.status !== 'deactivated',
  });
  // Someone who is not a guest user of the partner is reported as missing, not as refused.
  if (refusal === 'target') {
    throw notFound('Guest user', 'Accounts can be passed on only to guest users of your partner.');
  }
  ensureSharing(refusal, {
    account: 'Only managers can pass this account on, to guest users of their partner.',
    partner: 'Only managers can pass this account on, to guest users of their partner.',
  });
  const created = await tx
    .insertInto('grants')
    .values({
      account_id: accountId,
      user_id: guestUserId,
      role: 'collaborator',
      granted_by: actor.userId,
      parent_grant_id: parent!.id,
      expires_at: expiresAt,
    })
    .onConflict((oc) => oc.columns(['user_id', 'account_id']).where('user_id', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!created) throw conflict('already-shared', 'This guest user can already use this account.');
  await recordAccountEvent(tx, actor, context, 'account.access_passed_on', accountId, {
    userId: guestUserId,
    partnerId: parent!.partner_id,
    ...(expiresAt && { accessUntil: expiresAt.toISOString() }),
  });
  await notifyAccessPassedOn(tx, actor, accountId, guestUserId, parent!.partner_id, expiresAt);
}

/**
 * An owner sets a guest's role on one account: the guest's own grant, which then overrides the partner
 * share for that guest. A guest is never an owner.
 */
export async function changeGuestAccountRole(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  guestId: string,
  role: Extract<ItemRole, 'manager' | 'collaborator'>,
  context: RequestContext,
): Promise<void> {
  const { standing } = await loadAccount(tx, actor, accountId, { lock: true });
  const guest = await loadActiveUser(tx, actor, guestId);
  ensureSharing(sharingPolicy.changeGuestRole(standing, guest), {
    account: "Only owners can change a guest's role on this account.",
    target: 'This person is not a guest.',
  });
  const membership = await tx
    .selectFrom('partner_members')
    .select('partner_id')
    .where('user_id', '=', guestId)
    .where('role', '<>', 'host_admin')
    .executeTakeFirst();
  const partnerShare = membership
    ? await tx
        .selectFrom('grants')
        .select('id')
        .where('account_id', '=', accountId)
        .where('partner_id', '=', membership.partner_id)
        .executeTakeFirst()
    : undefined;
  const own = await tx
    .selectFrom('grants')
    .select('id')
    .where('account_id', '=', accountId)
    .where('user_id', '=', guestId)
    .executeTakeFirst();
  if (!own && !partnerShare) throw notFound('Access', 'This guest cannot use this account.');
  if (own) {
    // The grant is now the owner's decision, whoever made it first.
    await tx.updateTable('grants').set({ role, granted_by: actor.userId }).where('id', '=', own.id).execute();
  } else {
    await tx
      .insertInto('grants')
      .values({
        account_id: accountId,
        user_id: guestId,
        role,
        granted_by: actor.userId,
        parent_grant_id: partnerShare!.id,
      })
      .execute();
  }
  await recordAccountEvent(tx, actor, context, 'account.role_changed', accountId, { userId: guestId, role });
}

/**
 * **Remove from account**: ends a person's own grant. Access that comes only from the partner share (a
 * guest admin's) is ended by removing the account from the partner instead; the last owner stays.
 */
export async function removeFromAccount(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const { standing } = await loadAccount(tx, actor, accountId, { lock: true });
  ensureAccount(accountPolicy.manageAccess(standing), 'Only owners can remove people from this account.');
  const grant = await tx
    .selectFrom('grants')
    .select(['id', 'role'])
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!grant) {
    throw new AppError(
      'access-through-partner',
      409,
      'Access comes from the partner',
      "This person's access comes from the partner's share: remove the account from the partner instead.",
    );
  }
  if (grant.role === 'owner') {
    const owners = await tx
      .selectFrom('grants')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', accountId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    if (Number(owners.n) <= 1) throw conflict('last-owner', 'An account keeps at least one owner.');
  }
  await tx.deleteFrom('grants').where('id', '=', grant.id).execute();
  await recordAccountEvent(tx, actor, context, 'account.access_removed', accountId, { userId });
}

export interface AccessEntry {
  kind: 'member' | 'partner' | 'guest';
  userId: string | null;
  partnerId: string | null;
  name: string;
  email: string | null;
  role: ItemRole;
  /** The partner a guest's access comes through, or null for a direct share. */
  sharedVia: string | null;
  /** The person holds a grant of their own (so **Remove from account** applies); false when a guest
   * admin's access comes only from the partner's share. */
  ownGrant: boolean;
  lastUsedAt: string | null;
  status: string | null;
  /** **Access until**: when this grant ends by itself, or null. */
  accessUntil: string | null;
}

/** Who has access (the **Users** tab): members, partners, and every guest the partner shares reach. */
export async function listAccess(db: Kysely<Database>, actor: Actor, accountId: string): Promise<AccessEntry[]> {
  const { standing } = await loadAccount(db, actor, accountId);
  ensureAccount(accountPolicy.manageAccess(standing), 'Only owners can see who has access to this account.');
  const direct = await db
    .selectFrom('grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .leftJoin('grants as parent', 'parent.id', 'g.parent_grant_id')
    .leftJoin('partners as p', 'p.id', 'parent.partner_id')
    .select([
      'u.id',
      'u.display_name',
      'u.email',
      'u.kind',
      'u.status',
      'g.role',
      'g.last_used_at',
      'g.expires_at',
      'p.name as partner_name',
    ])
    .where('g.account_id', '=', accountId)
    .execute();
  const partners = await db
    .selectFrom('grants as g')
    .innerJoin('partners as p', 'p.id', 'g.partner_id')
    .select(['p.id', 'p.name', 'g.role', 'g.expires_at'])
    .where('g.account_id', '=', accountId)
    .execute();
  // Guest admins reached through a partner share, unless their own grant already lists them.
  const listed = new Set(direct.map((d) => d.id));
  const guestAdmins = partners.length
    ? await db
        .selectFrom('partner_members as pm')
        .innerJoin('users as u', 'u.id', 'pm.user_id')
        .select(['u.id', 'u.display_name', 'u.email', 'u.status', 'pm.partner_id'])
        .where(
          'pm.partner_id',
          'in',
          partners.map((p) => p.id),
        )
        .where('pm.role', '=', 'guest_admin')
        .execute()
    : [];
  const entries: AccessEntry[] = [
    ...direct.map((d) => ({
      kind: d.kind === 'guest' ? ('guest' as const) : ('member' as const),
      userId: d.id,
      partnerId: null,
      name: d.display_name,
      email: d.email,
      role: d.role,
      sharedVia: d.partner_name,
      ownGrant: true,
      lastUsedAt: d.last_used_at?.toISOString() ?? null,
      status: d.status,
      accessUntil: d.expires_at?.toISOString() ?? null,
    })),
    ...partners.map((p) => ({
      kind: 'partner' as const,
      userId: null,
      partnerId: p.id,
      name: p.name,
      email: null,
      role: p.role,
      sharedVia: null,
      ownGrant: false,
      lastUsedAt: null,
      status: null,
      accessUntil: p.expires_at?.toISOString() ?? null,
    })),
    ...guestAdmins
      .filter((g) => !listed.has(g.id))
      .map((g) => {
        const partner = partners.find((p) => p.id === g.partner_id)!;
        return {
          kind: 'guest' as const,
          userId: g.id,
          partnerId: null,
          name: g.display_name,
          email: g.email,
          role: partner.role,
          sharedVia: partner.name,
          ownGrant: false,
          lastUsedAt: null,
          status: g.status,
          accessUntil: partner.expires_at?.toISOString() ?? null,
        };
      }),
  ];
  return entries;
}

/** The partner's **Accounts** tab: what is shared with it, with the role given. */
export async function listPartnerAccounts(db: Kysely<Database>, actor: Actor, partnerId: string) {
  await loadPartner(db, actor, partnerId);
  const rows = await db
    .selectFrom('grants as g')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.name', 'a.app_name', 'g.role', 'g.created_at', 'g.expires_at'])
    .where('g.partner_id', '=', partnerId)
    .where('a.deleted_at', 'is', null)
    .orderBy(sql`lower(a.name)`)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    appName: r.app_name,
    role: r.role as Extract<ItemRole, 'manager' | 'collaborator'>,
    sharedAt: r.created_at.toISOString(),
    accessUntil: r.expires_at?.toISOString() ?? null,
  }));
}

export interface MemberAccount {
  id: string;
  name: string;
  appName: string;
  role: ItemRole;
}

/**
 * **View details**: the accounts a member of the partner can use, with their role, for whoever may see
 * the partner. A guest belongs to this partner only, so all their accounts come through it; for a host
 * admin only the accounts shared with this partner are listed (their own vault is not the partner's
 * business). A deactivated person can use nothing.
 */
export async function listMemberAccounts(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
): Promise<MemberAccount[]> {
  await loadPartner(db, actor, partnerId);
  const member = await db
    .selectFrom('partner_members')
    .select('role')
    .where('partner_id', '=', partnerId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!member) throw notFound('Member', 'This person is not part of this partner.');
  let query = db
    .selectFrom(effectiveRoles(db, userId, actorMoment(actor)).as('eff'))
    .innerJoin('accounts as a', 'a.id', 'eff.account_id')
    .innerJoin('users as u', (join) =>
      join.onRef('u.workspace_id', '=', 'a.workspace_id').on('u.id', '=', userId).on('u.status', '<>', 'deactivated'),
    )
    .select(['a.id', 'a.name', 'a.app_name', 'eff.role'])
    .where('a.workspace_id', '=', actor.workspaceId)
    .where('a.deleted_at', 'is', null);
  if (member.role === 'host_admin') {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('grants as pg')
          .select('pg.id')
          .whereRef('pg.account_id', '=', 'a.id')
          .where('pg.partner_id', '=', partnerId),
      ),
    );
  }
  const rows = await query
    .orderBy(sql`lower(a.name)`)
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, appName: r.app_name, role: r.role }));
}
