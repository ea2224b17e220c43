import { sql, type Kysely } from 'kysely';
import type { Database, PartnerRole } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { forbidden, invalid } from '../domain/errors.js';
import { partnerPolicy } from '../domain/policies/partners.js';
import { partnerPermissions, type PartnerPermissions } from '../domain/policies/permissions.js';
import { deliveryStates, type DeliveryView } from '../mail/outbox.js';
import { recordEvent, recordUserEvent } from './activity.js';
import { effectiveState } from '../domain/invitations.js';
import type { InvitationDeps } from './invitations/invitation-mail.js';
import { inviteGuest } from './invitations/invite-guest.js';
import { endSessionsOf, ensure, loadPartner, partnerNameTaken } from './partner-access.js';
import { cancelPendingMail } from '../mail/outbox.js';
import { isUniqueViolation } from './users.js';
import { removeAllDevicesOf, type DeviceRemovalAudit } from './device-removal.js';

export interface CreatePartnerInput {
  name: string;
  guestAdminEmail: string;
  hostAdminIds: string[];
}

export interface PartnerSummary {
  id: string;
  name: string;
  myRole: PartnerRole | null;
  hostAdmins: string[];
  guestCount: number;
  createdAt: string;
}

/** Partners the actor can see: all of them for workspace admins, otherwise those they belong to. */
export async function listPartners(db: Kysely<Database>, actor: Actor): Promise<PartnerSummary[]> {
  let query = db
    .selectFrom('partners as p')
    .leftJoin('partner_members as mine', (join) =>
      join.onRef('mine.partner_id', '=', 'p.id').on('mine.user_id', '=', actor.userId),
    )
    .select((eb) => [
      'p.id',
      'p.name',
      'p.created_at',
      'mine.role as my_role',
      eb
        .selectFrom('partner_members as pm')
        .innerJoin('users as u', 'u.id', 'pm.user_id')
        .select(sql<string[]>`coalesce(array_agg(u.display_name ORDER BY u.display_name), '{}')`.as('names'))
        .whereRef('pm.partner_id', '=', 'p.id')
        .where('pm.role', '=', 'host_admin')
        .as('host_admins'),
      eb
        .selectFrom('partner_members as pm')
        .innerJoin('users as g', 'g.id', 'pm.user_id')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('pm.partner_id', '=', 'p.id')
        .where('pm.role', '<>', 'host_admin')
        .where('g.status', '<>', 'deactivated')
        .as('guest_count'),
    ])
    .where('p.workspace_id', '=', actor.workspaceId)
    .where('p.status', '=', 'active')
    .orderBy(sql`lower(p.name)`);
  if (!partnerPolicy.listAll(actor)) query = query.where('mine.user_id', 'is not', null);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    myRole: row.my_role ?? null,
    hostAdmins: row.host_admins ?? [],
    guestCount: Number(row.guest_count ?? 0),
    createdAt: row.created_at.toISOString(),
  }));
}

export interface PartnerMemberView {
  userId: string;
  email: string;
  displayName: string;
  partnerRole: PartnerRole;
  status: 'invited' | 'active' | 'deactivated';
  joinedAt: string | null;
  /** **Guest access ends on** (guests), or null. */
  accessEndsAt: string | null;
  invitation: {
    id: string;
    state: 'pending' | 'accepted' | 'expired' | 'revoked';
    expiresAt: string;
    timesSent: number;
    delivery: DeliveryView | null;
  } | null;
}

export interface PartnerDetail {
  id: string;
  name: string;
  myRole: PartnerRole | null;
  permissions: PartnerPermissions;
  members: PartnerMemberView[];
  createdAt: string;
}

const ROLE_ORDER: Record<PartnerRole, number> = { host_admin: 0, guest_admin: 1, guest_user: 2 };

export async function getPartner(db: Kysely<Database>, actor: Actor, partnerId: string): Promise<PartnerDetail> {
  const { partner, standing } = await loadPartner(db, actor, partnerId);
  const rows = await db
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('invitations')
          .distinctOn('user_id')
          .select(['id', 'user_id', 'state', 'expires_at', 'times_sent', 'accepted_at'])
          .where('partner_id', '=', partnerId)
          .orderBy('user_id')
          .orderBy('created_at', 'desc')
          .as('inv'),
      (join) => join.onRef('inv.user_id', '=', 'u.id'),
    )
    .select([
      'u.id',
      'u.email',
      'u.display_name',
      'u.status',
      'u.access_ends_at',
      'pm.role',
      'pm.added_at',
      'inv.id as invitation_id',
      'inv.state as invitation_state',
      'inv.expires_at as invitation_expires_at',
      'inv.times_sent',
      'inv.accepted_at',
    ])
    .where('pm.partner_id', '=', partnerId)
    .execute();
  const invitationIds = rows.map((r) => r.invitation_id).filter((id): id is string => !!id);
  const deliveries = await deliveryStates(db, invitationIds);
  const members: PartnerMemberView[] = rows
    .map((row) => ({
      userId: row.id,
      email: row.email,
      displayName: row.display_name,
      partnerRole: row.role,
      status: row.status,
      joinedAt: row.role === 'host_admin' ? row.added_at.toISOString() : (row.accepted_at?.toISOString() ?? null),
      accessEndsAt: row.role === 'host_admin' ? null : (row.access_ends_at?.toISOString() ?? null),
      invitation:
        row.invitation_id && row.invitation_state && row.invitation_expires_at
          ? {
              id: row.invitation_id,
              state: effectiveState({ state: row.invitation_state, expires_at: row.invitation_expires_at }),
              expiresAt: row.invitation_expires_at.toISOString(),
              timesSent: row.times_sent ?? 1,
              delivery: deliveries.get(row.invitation_id) ?? null,
            }
          : null,
    }))
    .sort((a, b) => ROLE_ORDER[a.partnerRole] - ROLE_ORDER[b.partnerRole] || a.email.localeCompare(b.email));
  return {
    id: partner.id,
    name: partner.name,
    myRole: standing.partnerRole,
    permissions: partnerPermissions(standing),
    members,
    createdAt: partner.created_at.toISOString(),
  };
}

/** Hosts must be active members (not guests) of the workspace. */
async function checkHostAdmins(db: Kysely<Database>, workspaceId: string, userIds: string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) {
    throw invalid('host-admin-required', 'Choose at least one partnership host.', [
      { path: 'hostAdminIds', message: 'Choose at least one partnership host.' },
    ]);
  }
  const found = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', unique)
    .where('kind', '=', 'member')
    .where('status', '=', 'active')
    .execute();
  if (found.length !== unique.length) {
    throw invalid('host-admin-not-member', 'Partnership hosts must be active members of this workspace.', [
      { path: 'hostAdminIds', message: 'Choose active members of this workspace.' },
    ]);
  }
}

export async function createPartner(
  tx: Kysely<Database>,
  actor: Actor,
  input: CreatePartnerInput,
  deps: InvitationDeps,
  context: RequestContext,
): Promise<{ partnerId: string; guestAdminId: string; invitationId: string }> {
  if (!partnerPolicy.create(actor)) throw forbidden('Only the workspace owner and admins can add partners.');
  const hostAdminIds = [...new Set(input.hostAdminIds)];
  await checkHostAdmins(tx, actor.workspaceId, hostAdminIds);
  const partner = await tx
    .insertInto('partners')
    .values({ workspace_id: actor.workspaceId, name: input.name, created_by: actor.userId })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw partnerNameTaken(input.name);
      throw error;
    });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'partner.created',
    targetType: 'partner',
    targetId: partner.id,
    context,
    details: { name: partner.name },
  });
  for (const userId of hostAdminIds) {
    await tx
      .insertInto('partner_members')
      .values({ partner_id: partner.id, user_id: userId, role: 'host_admin' })
      .execute();
    await recordUserEvent(tx, actor, context, 'partner.host_admin_assigned', userId, { partnerId: partner.id });
  }
  const invited = await inviteGuest(
    tx,
    actor,
    partner,
    { email: input.guestAdminEmail, role: 'guest_admin' },
    deps,
    context,
  );
  return { partnerId: partner.id, guestAdminId: invited.userId, invitationId: invited.invitationId };
}

export async function renamePartner(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  name: string,
  context: RequestContext,
) {
  const { partner, standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  ensure(partnerPolicy.rename(standing), 'Only host admins can rename the partner.');
  if (partner.name === name) return;
  await tx
    .updateTable('partners')
    .set({ name })
    .where('id', '=', partnerId)
    .execute()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw partnerNameTaken(name);
      throw error;
    });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'partner.renamed',
    targetType: 'partner',
    targetId: partnerId,
    context,
    details: { from: partner.name, to: name },
  });
}

/**
 * Ends a guest's place in the workspace: deactivated, out of the partner, sessions, invitations and
 * trusted devices ended.
 */
export async function offboardGuest(
  tx: Kysely<Database>,
  userId: string,
  partnerId: string,
  audit: DeviceRemovalAudit,
): Promise<void> {
  await tx
    .updateTable('users')
    .set({ status: 'deactivated', updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
  await tx.deleteFrom('partner_members').where('partner_id', '=', partnerId).where('user_id', '=', userId).execute();
  const pending = await tx
    .updateTable('invitations')
    .set({ state: 'revoked', revoked_at: sql`now()`, updated_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('state', '=', 'pending')
    .returning('id')
    .execute();
  for (const invitation of pending) await cancelPendingMail(tx, invitation.id);
  await endSessionsOf(tx, userId);
  await removeAllDevicesOf(tx, userId, audit);
  // Every grant they held ends (onward shares they made stay: those belong to the guests they reached).
  await tx.deleteFrom('grants').where('user_id', '=', userId).execute();
}

/** Removes the partner: every guest deactivated, host-admin roles dropped. Item ownership is untouched. */
export async function removePartner(tx: Kysely<Database>, actor: Actor, partnerId: string, context: RequestContext) {
  const { partner, standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  ensure(partnerPolicy.remove(standing), 'Only host admins can remove the partner.');
  const members = await tx
    .selectFrom('partner_members')
    .select(['user_id', 'role'])
    .where('partner_id', '=', partnerId)
    .execute();
  for (const member of members.filter((m) => m.role !== 'host_admin')) {
    await offboardGuest(tx, member.user_id, partnerId, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      context,
      reason: 'partner_removed',
    });
    await recordUserEvent(tx, actor, context, 'user.deactivated', member.user_id, {
      reason: 'partner_removed',
      partnerId,
    });
  }
  await tx.deleteFrom('partner_members').where('partner_id', '=', partnerId).execute();
  // The partner's shares end, and with them every onward share made from them (ON DELETE CASCADE).
  await tx.deleteFrom('grants').where('partner_id', '=', partnerId).execute();
  await tx
    .updateTable('partners')
    .set({ status: 'removed', removed_at: sql`now()` })
    .where('id', '=', partnerId)
    .execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'partner.removed',
    targetType: 'partner',
    targetId: partnerId,
    context,
    details: { name: partner.name, guestsDeactivated: members.filter((m) => m.role !== 'host_admin').length },
  });
}
