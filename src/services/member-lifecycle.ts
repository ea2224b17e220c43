import { sql, type Kysely } from 'kysely';
import type { Database, User } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError, conflict, forbidden, notFound } from '../domain/errors.js';
import { memberPolicy, type MemberTarget } from '../domain/policies/members.js';
import type { AssignableMemberRole } from '../domain/roles.js';
import { recordEvent } from './activity.js';
import { removeAllDevicesOf } from './device-removal.js';
import { hasJoined } from './member-invitations.js';
import { endSessionsOf } from './partner-access.js';

/**
 * A member's lifecycle after joining (SPEC §2a): **Change role**, **Deactivate** (every effect in the
 * caller's one transaction, seen by every server on the next request) and **Reactivate**.
 */

const memberNotFound = () => notFound('Member', 'This person is not a member of this workspace.');

/** The member, locked for the change; guests and other workspaces' people are not found. */
async function loadMember(tx: Kysely<Database>, actor: Actor, userId: string): Promise<User> {
  if (!memberPolicy.list(actor)) throw memberNotFound();
  const user = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw memberNotFound();
  return user;
}

const targetOf = (user: User): MemberTarget => ({ userId: user.id, role: user.role, status: user.status });

/** Why an actor may not act on this member: themselves, the owner, an admin, or not an admin at all. */
function refusal(actor: Actor, user: User, action: string): AppError {
  if (user.id === actor.userId) return forbidden(`You cannot ${action} yourself.`);
  if (user.role === 'owner') return forbidden(`Nobody can ${action} the workspace owner.`);
  if (user.role === 'admin' && actor.role !== 'owner')
    return forbidden(`Only the workspace owner can ${action} an admin.`);
  return forbidden(`Only the workspace owner and admins can ${action} members.`);
}

/** **Change role**: admin ↔ member. The person's next request already carries the new role. */
export async function changeMemberRole(
  tx: Kysely<Database>,
  actor: Actor,
  userId: string,
  role: AssignableMemberRole,
  context: RequestContext,
): Promise<void> {
  const user = await loadMember(tx, actor, userId);
  if (!memberPolicy.actsOnMember(actor, targetOf(user))) throw refusal(actor, user, 'change the role of');
  if (user.role === role)
    throw conflict('role-unchanged', `${user.email} is already ${role === 'admin' ? 'an admin' : 'a member'}.`);
  if (user.status === 'invited')
    throw conflict('member-invited', 'Revoke the invitation and invite them again with the other role.');
  if (user.status === 'deactivated')
    throw conflict('member-deactivated', `${user.email} is deactivated: reactivate them first.`);
  if (!memberPolicy.changeRole(actor, targetOf(user), role)) {
    throw role === 'admin' && actor.role !== 'owner' && user.id !== actor.userId
      ? forbidden('Only the workspace owner can make someone an admin.')
      : refusal(actor, user, 'change the role of');
  }
  await tx
    .updateTable('users')
    .set({ role, updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'member.role_changed',
    targetType: 'user',
    targetId: user.id,
    context,
    details: { email: user.email, from: user.role, to: role },
  });
}

/** What deactivating a member would leave without someone: accounts they alone own, partners they alone host. */
export interface Handover {
  accounts: Array<{ id: string; name: string }>;
  partners: Array<{ id: string; name: string }>;
}

export async function handoverNeeded(db: Kysely<Database>, userId: string): Promise<Handover> {
  const accounts = await db
    .selectFrom('grants as g')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.name'])
    .where('g.user_id', '=', userId)
    .where('g.role', '=', 'owner')
    .where('a.deleted_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('grants as other')
            .innerJoin('users as ou', 'ou.id', 'other.user_id')
            .select('other.id')
            .whereRef('other.account_id', '=', 'g.account_id')
            .where('other.role', '=', 'owner')
            .where('other.user_id', '<>', userId)
            .where('ou.status', '=', 'active'),
        ),
      ),
    )
    .orderBy('a.name')
    .execute();
  const partners = await db
    .selectFrom('partner_members as pm')
    .innerJoin('partners as p', 'p.id', 'pm.partner_id')
    .select(['p.id', 'p.name'])
    .where('pm.user_id', '=', userId)
    .where('pm.role', '=', 'host_admin')
    .where('p.status', '=', 'active')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('partner_members as other')
            .innerJoin('users as ou', 'ou.id', 'other.user_id')
            .select('other.user_id')
            .whereRef('other.partner_id', '=', 'pm.partner_id')
            .where('other.role', '=', 'host_admin')
            .where('other.user_id', '<>', userId)
            .where('ou.status', '=', 'active'),
        ),
      ),
    )
    .orderBy('p.name')
    .execute();
  return { accounts, partners };
}

/** What the **Deactivate** dialog shows before anything changes: what needs a new owner or host. */
export async function previewDeactivation(db: Kysely<Database>, actor: Actor, userId: string): Promise<Handover> {
  const user = await loadMemberForRead(db, actor, userId);
  if (!memberPolicy.deactivate(actor, targetOf(user))) throw refusal(actor, user, 'deactivate');
  return handoverNeeded(db, user.id);
}

async function loadMemberForRead(db: Kysely<Database>, actor: Actor, userId: string): Promise<User> {
  if (!memberPolicy.list(actor)) throw memberNotFound();
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .executeTakeFirst();
  if (!user) throw memberNotFound();
  return user;
}

/**
 * **Deactivate**: sessions, trusted devices and every grant end, host-admin roles are dropped, in one
 * transaction. What only they own or host first passes to `transferTo` (**Transfer ownership to**);
 * without one, the refusal lists what needs it.
 */
export async function deactivateMember(
  tx: Kysely<Database>,
  actor: Actor,
  userId: string,
  options: { transferTo?: string },
  context: RequestContext,
): Promise<{ transferred: Handover }> {
  const user = await loadMember(tx, actor, userId);
  if (user.status === 'invited')
    throw conflict('member-invited', 'They have not joined yet: revoke the invitation instead.');
  if (user.status === 'deactivated') throw conflict('member-deactivated', `${user.email} is already deactivated.`);
  if (!memberPolicy.deactivate(actor, targetOf(user))) throw refusal(actor, user, 'deactivate');

  const handover = await handoverNeeded(tx, user.id);
  const needed = handover.accounts.length + handover.partners.length > 0;
  if (needed && !options.transferTo) {
    throw new AppError(
      'transfer-required',
      409,
      'Transfer needed first',
      `${user.email} is the only owner or host of what is listed; choose whom to transfer it to (transferTo).`,
      [
        ...handover.accounts.map((a) => ({
          path: `accounts/${a.id}`,
          message: `Account “${a.name}” has no other owner.`,
        })),
        ...handover.partners.map((p) => ({
          path: `partners/${p.id}`,
          message: `Partner “${p.name}” has no other host admin.`,
        })),
      ],
    );
  }
  if (needed && options.transferTo) {
    const heir = await tx
      .selectFrom('users')
      .select(['id', 'email', 'status', 'kind'])
      .where('id', '=', options.transferTo)
      .where('workspace_id', '=', actor.workspaceId)
      .forUpdate()
      .executeTakeFirst();
    if (!heir || heir.kind !== 'member' || heir.status !== 'active' || heir.id === user.id)
      throw conflict(
        'transfer-target-invalid',
        'Transfer ownership to an active member of the workspace other than them.',
        [{ path: 'transferTo', message: 'Choose an active member.' }],
      );
    await transfer(tx, handover, user.id, heir.id);
    await recordEvent(tx, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: 'member.ownership_transferred',
      targetType: 'user',
      targetId: heir.id,
      context,
      details: {
        from: user.id,
        fromEmail: user.email,
        toEmail: heir.email,
        accounts: handover.accounts.map((a) => a.id),
        partners: handover.partners.map((p) => p.id),
      },
    });
  }

  await applyDeactivation(tx, user, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    context,
    reason: 'member_deactivated',
  });
  return { transferred: needed ? handover : { accounts: [], partners: [] } };
}

/**
 * Every effect of **Deactivate** once the handover is settled: the status, sessions, trusted devices,
 * grants and host-admin roles, and the `user.deactivated` event. SCIM deprovisioning runs it too.
 */
export async function applyDeactivation(
  tx: Kysely<Database>,
  user: Pick<User, 'id' | 'email'>,
  audit: {
    workspaceId: string;
    actorId: string | null;
    context: RequestContext;
    reason: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await tx
    .updateTable('users')
    .set({ status: 'deactivated', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await endSessionsOf(tx, user.id);
  await removeAllDevicesOf(tx, user.id, {
    workspaceId: audit.workspaceId,
    actorId: audit.actorId,
    context: audit.context,
    reason: audit.reason,
  });
  // Every grant they held ends (onward shares they made stay with the people they reached) and they host
  // no partner any more.
  const grants = await tx.deleteFrom('grants').where('user_id', '=', user.id).returning('account_id').execute();
  const hosted = await tx
    .deleteFrom('partner_members')
    .where('user_id', '=', user.id)
    .where('role', '=', 'host_admin')
    .returning('partner_id')
    .execute();
  await recordEvent(tx, {
    workspaceId: audit.workspaceId,
    actorId: audit.actorId,
    action: 'user.deactivated',
    targetType: 'user',
    targetId: user.id,
    context: audit.context,
    details: {
      ...audit.details,
      reason: audit.reason,
      email: user.email,
      grantsEnded: grants.length,
      partnersLeft: hosted.length,
    },
  });
}

/** The heir becomes an owner of each account and a host admin of each partner (upgrading what they had). */
export async function transfer(tx: Kysely<Database>, handover: Handover, fromId: string, toId: string): Promise<void> {
  for (const account of handover.accounts) {
    await tx
      .insertInto('grants')
      .values({ account_id: account.id, user_id: toId, role: 'owner', granted_by: fromId })
      .onConflict((oc) =>
        oc.columns(['user_id', 'account_id']).where('user_id', 'is not', null).doUpdateSet({ role: 'owner' }),
      )
      .execute();
  }
  for (const partner of handover.partners) {
    const current = await tx
      .selectFrom('partner_members')
      .select('role')
      .where('partner_id', '=', partner.id)
      .where('user_id', '=', toId)
      .executeTakeFirst();
    if (!current)
      await tx
        .insertInto('partner_members')
        .values({ partner_id: partner.id, user_id: toId, role: 'host_admin' })
        .execute();
  }
}

/** **Reactivate**: they can sign in again, with nothing back: no grant, device or partner role. */
export async function reactivateMember(
  tx: Kysely<Database>,
  actor: Actor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const user = await loadMember(tx, actor, userId);
  if (!memberPolicy.actsOnMember(actor, targetOf(user))) throw refusal(actor, user, 'reactivate');
  if (user.status !== 'deactivated') throw conflict('member-active', `${user.email} is not deactivated.`);
  if (!memberPolicy.reactivate(actor, targetOf(user))) throw refusal(actor, user, 'reactivate');
  if (!(await hasJoined(tx, user.id)))
    throw conflict(
      'member-never-joined',
      'Their invitation was revoked before they joined: invite them again instead.',
    );
  await tx
    .updateTable('users')
    .set({ status: 'active', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'user.reactivated',
    targetType: 'user',
    targetId: user.id,
    context,
    details: { email: user.email },
  });
}
