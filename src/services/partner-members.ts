import { sql, type Kysely } from 'kysely';
import type { Database, GuestRole, Partner } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { partnerPolicy } from '../domain/policies/partners.js';
import { guestPasswordPolicy } from '../domain/policies/guest-passwords.js';
import { recordEvent, recordUserEvent } from './activity.js';
import { enqueueMail } from '../mail/outbox.js';
import { invitationWithheldMail } from '../mail/templates.js';
import { ensure, loadPartner } from './partner-access.js';
import { offboardGuest } from './partners.js';
import type { InvitationDeps } from './invitations/invitation-mail.js';
import { inviteGuest, type Invited } from './invitations/invite-guest.js';
import { mayResetMfa } from './mfa-reset.js';

export async function assignHostAdmin(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
  context: RequestContext,
) {
  const { standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  ensure(partnerPolicy.manageHostAdmins(standing), 'Only host admins can assign host admins.');
  const user = await tx
    .selectFrom('users')
    .select(['id', 'kind', 'status'])
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .executeTakeFirst();
  if (!user || user.kind !== 'member' || user.status !== 'active') {
    throw invalid('host-admin-not-member', 'Partnership hosts must be active members of this workspace.', [
      { path: 'userId', message: 'Choose an active member of this workspace.' },
    ]);
  }
  const inserted = await tx
    .insertInto('partner_members')
    .values({ partner_id: partnerId, user_id: userId, role: 'host_admin' })
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!inserted) return;
  await recordUserEvent(tx, actor, context, 'partner.host_admin_assigned', userId, { partnerId });
}

export async function removeHostAdmin(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
  context: RequestContext,
) {
  // The partner row lock serialises host changes, so two removals cannot leave the partner hostless.
  const { standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  ensure(partnerPolicy.manageHostAdmins(standing), 'Only host admins can remove host admins.');
  const hosts = await tx
    .selectFrom('partner_members')
    .select('user_id')
    .where('partner_id', '=', partnerId)
    .where('role', '=', 'host_admin')
    .execute();
  if (!hosts.some((h) => h.user_id === userId))
    throw notFound('Host admin', 'This person is not a host admin of this partner.');
  if (hosts.length === 1)
    throw conflict(
      'last-host-admin',
      'A partner keeps at least one host admin; assign another before removing this one.',
    );
  await tx.deleteFrom('partner_members').where('partner_id', '=', partnerId).where('user_id', '=', userId).execute();
  await recordUserEvent(tx, actor, context, 'partner.host_admin_removed', userId, { partnerId });
}

async function loadGuest(tx: Kysely<Database>, partnerId: string, userId: string) {
  const guest = await tx
    .selectFrom('partner_members')
    .select(['user_id', 'role'])
    .where('partner_id', '=', partnerId)
    .where('user_id', '=', userId)
    .where('role', '<>', 'host_admin')
    .forUpdate()
    .executeTakeFirst();
  if (!guest) throw notFound('Guest', 'This person is not a guest of this partner.');
  return guest as { user_id: string; role: GuestRole };
}

/** guest user ↔ guest admin. Account roles are not touched (SPEC §3). */
export async function changeGuestRole(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
  role: GuestRole,
  context: RequestContext,
) {
  const { standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  ensure(partnerPolicy.changeGuestRole(standing), "Only host admins and guest admins can change a guest's role.");
  const guest = await loadGuest(tx, partnerId, userId);
  if (guest.role === role) return;
  await tx
    .updateTable('partner_members')
    .set({ role })
    .where('partner_id', '=', partnerId)
    .where('user_id', '=', userId)
    .execute();
  await tx
    .updateTable('invitations')
    .set({ role })
    .where('partner_id', '=', partnerId)
    .where('user_id', '=', userId)
    .where('state', '=', 'pending')
    .execute();
  await recordUserEvent(tx, actor, context, 'partner.guest_role_changed', userId, {
    partnerId,
    from: guest.role,
    to: role,
  });
}

export async function removeGuest(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
  context: RequestContext,
) {
  const { standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  const guest = await loadGuest(tx, partnerId, userId);
  if (!partnerPolicy.removeGuest(standing, { userId, role: guest.role })) {
    const detail =
      userId === actor.userId
        ? 'You cannot remove yourself; ask a host admin.'
        : guest.role === 'guest_admin'
          ? 'Only host admins can remove a guest admin.'
          : 'Only host admins and guest admins can remove guest users.';
    ensure(false, detail);
  }
  await offboardGuest(tx, userId, partnerId, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    context,
    reason: 'guest_removed',
  });
  await recordUserEvent(tx, actor, context, 'partner.guest_removed', userId, { partnerId, role: guest.role });
  await recordUserEvent(tx, actor, context, 'user.deactivated', userId, { reason: 'guest_removed', partnerId });
}

export interface PartnerMemberDetail {
  userId: string;
  email: string;
  displayName: string;
  partnerRole: string;
  status: string;
  /** What the member page may offer, from the same policies the server enforces. */
  permissions: { resetMfa: boolean; resetPassword: boolean };
}

export async function getPartnerMember(
  db: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
): Promise<PartnerMemberDetail> {
  const { standing } = await loadPartner(db, actor, partnerId);
  const row = await db
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select(['u.id', 'u.email', 'u.display_name', 'u.status', 'pm.role'])
    .where('pm.partner_id', '=', partnerId)
    .where('pm.user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('Member', 'This person is not part of this partner.');
  return {
    userId: row.id,
    email: row.email,
    displayName: row.display_name,
    partnerRole: row.role,
    status: row.status,
    permissions: {
      resetMfa: await mayResetMfa(db, actor, row.id),
      resetPassword:
        row.role !== 'host_admin' &&
        guestPasswordPolicy.offered(standing, { userId: row.id, role: row.role, status: row.status }),
    },
  };
}

/**
 * **Invite guest users**: a guest user of the partner; inviteGuest asks the policy whether the actor may.
 * Returns the invitation, or null when it was withheld (a guest admin must not learn why, so the caller
 * answers a guest as for any invitation).
 */
export async function inviteGuestUser(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  email: string,
  deps: InvitationDeps,
  context: RequestContext,
  accessEndsAt?: Date | null,
): Promise<Invited | null> {
  // Invitations to one partner run side by side; removing or renaming the partner waits for them.
  const { partner, standing } = await loadPartner(tx, actor, partnerId, { lock: 'share' });
  // Asked before anything about the address, so the answer cannot tell a withheld address apart.
  if (accessEndsAt)
    ensure(partnerPolicy.setGuestAccessEnd(standing), 'Only host admins can set when guest access ends.');
  const hidden = actor.role === 'guest' ? await hiddenFromGuests(tx, partner, email) : null;
  if (hidden) {
    await withholdInvitation(tx, actor, partner, email, hidden, deps, context);
    return null;
  }
  return inviteGuest(
    tx,
    actor,
    partner,
    { email, role: 'guest_user', accessEndsAt },
    deps,
    context,
    standing.partnerRole,
  );
}

/**
 * Why an address is someone a guest admin must not learn about: a member of the workspace, or a live guest
 * (invited or active) of another partner. Null when it is neither.
 */
async function hiddenFromGuests(
  tx: Kysely<Database>,
  partner: Partner,
  email: string,
): Promise<'member' | 'guest_of_another_partner' | null> {
  const found = await tx
    .selectFrom('users as u')
    .leftJoin('partner_members as pm', 'pm.user_id', 'u.id')
    .select(['u.kind', 'u.status', 'pm.partner_id'])
    .where('u.workspace_id', '=', partner.workspace_id)
    .where(sql<string>`lower(u.email)`, '=', email.toLowerCase())
    .execute();
  if (found.some((row) => row.kind === 'member')) return 'member';
  const otherPartner = found.some(
    (row) =>
      row.kind === 'guest' && row.status !== 'deactivated' && row.partner_id !== null && row.partner_id !== partner.id,
  );
  return otherPartner ? 'guest_of_another_partner' : null;
}

async function withholdInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  partner: Partner,
  email: string,
  reason: 'member' | 'guest_of_another_partner',
  deps: InvitationDeps,
  context: RequestContext,
): Promise<void> {
  const workspace = await tx
    .selectFrom('workspaces')
    .select(['name', 'slug'])
    .where('id', '=', partner.workspace_id)
    .executeTakeFirstOrThrow();
  const inviter = await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst();
  const hosts = await tx
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select('u.email')
    .where('pm.partner_id', '=', partner.id)
    .where('pm.role', '=', 'host_admin')
    .where('u.status', '=', 'active')
    .execute();
  const mail = invitationWithheldMail({
    workspaceName: workspace.name,
    partnerName: partner.name,
    inviterName: inviter?.display_name ?? 'A guest admin',
    email,
    reason,
    partnerUrl: new URL(`/app/partners/${partner.id}`, deps.publicUrl).toString(),
  });
  for (const host of hosts) {
    await enqueueMail(tx, deps, {
      workspaceId: partner.workspace_id,
      kind: 'invitation-withheld',
      to: host.email,
      ...mail,
    });
  }
  await recordEvent(tx, {
    workspaceId: partner.workspace_id,
    actorId: actor.userId,
    action: 'invitation.withheld',
    targetType: 'partner',
    targetId: partner.id,
    context,
    details: { email, reason, hostAdminsTold: hosts.length },
  });
}
