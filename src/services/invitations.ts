import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, GuestRole, Invitation, Partner, PartnerRole, Workspace } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError, conflict, invalid, notFound } from '../domain/errors.js';
import { effectiveState } from '../domain/invitations.js';
import { guestDomainProblem, partnerPolicy } from '../domain/policies/partners.js';
import { hashPassword } from '../crypto/passwords.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { cancelPendingMail, enqueueMail, type MailKeys, type WorkspaceSealer } from '../mail/outbox.js';
import { invitationMail } from '../mail/templates.js';
import { recordEvent } from './activity.js';
import { endSessionsOf, ensure, loadPartner, partnerRoleOf } from './partner-access.js';
import { isUniqueViolation } from './users.js';
import { chosenEnd } from './access-ends.js';
import { removeAllDevicesOf } from './device-removal.js';
import { hashTemporaryPassword, type TemporaryPasswordKeys } from './temporary-passwords.js';

/**
 * What inviting needs beyond the database: the keyring that seals mail and keys temporary passwords, and
 * the address links point to.
 */
export interface InvitationDeps extends MailKeys {
  keyring: WorkspaceSealer & TemporaryPasswordKeys;
  publicUrl: URL;
}

/** A fresh temporary password and its argon2id hash, made before the transaction opens (password resets). */
export interface TemporaryCredential {
  password: string;
  hash: string;
}

// No look-alike characters (0/O, 1/l/I): the password is typed from an email.
const TEMPORARY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const TEMPORARY_PASSWORD_LENGTH = 20;

function newTemporaryPassword(): string {
  let password = '';
  for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++)
    password += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
  return password;
}

export async function newTemporaryCredential(): Promise<TemporaryCredential> {
  const password = newTemporaryPassword();
  return { password, hash: await hashPassword(password) };
}

/**
 * An invitation's temporary password and its keyed hash (HMAC-SHA-256 under the workspace's data key,
 * see temporary-passwords.ts): microseconds, so it is made inside the invitation's transaction.
 */
export async function newInvitationCredential(
  tx: Kysely<Database>,
  keys: TemporaryPasswordKeys,
  workspaceId: string,
): Promise<TemporaryCredential> {
  const password = newTemporaryPassword();
  return { password, hash: await hashTemporaryPassword(tx, keys, workspaceId, password) };
}

export interface InviteGuestInput {
  email: string;
  role: GuestRole;
  /** **Guest access ends on** (host admins only), or none. */
  accessEndsAt?: Date | null;
}

export interface Invited {
  userId: string;
  invitationId: string;
  role: GuestRole;
  expiresAt: Date;
}

/**
 * Creates (or re-invites) a guest of a partner: user *invited*, partner membership, invitation with a
 * temporary password, and the invitation mail in the outbox, all in the caller's transaction.
 */
export async function inviteGuest(
  tx: Kysely<Database>,
  actor: Actor,
  partner: Partner,
  input: InviteGuestInput,
  deps: InvitationDeps,
  context: RequestContext,
  /** The actor's role in the partner when the caller has just read it; read here otherwise. */
  partnerRole?: PartnerRole | null,
): Promise<Invited> {
  const standing = {
    actor,
    partnerRole: partnerRole !== undefined ? partnerRole : await partnerRoleOf(tx, partner.id, actor.userId),
  };
  ensure(partnerPolicy.inviteGuests(standing), 'Only host admins and guest admins can invite guest users.');
  if (input.accessEndsAt) {
    ensure(partnerPolicy.setGuestAccessEnd(standing), 'Only host admins can set when guest access ends.');
  }
  const accessEndsAt = chosenEnd(actor, input.accessEndsAt, 'accessEndsAt');
  // One round trip for what every invitation reads: the workspace, the partner's host admins (the domain
  // rule) and the inviter's name (the mail).
  const {
    host_emails: hostEmails,
    inviter_name: inviterName,
    ...workspace
  } = await tx
    .selectFrom('workspaces as w')
    .selectAll('w')
    .select([
      sql<string[]>`coalesce((
        SELECT json_agg(u.email) FROM partner_members pm JOIN users u ON u.id = pm.user_id
         WHERE pm.partner_id = ${partner.id} AND pm.role = 'host_admin'), '[]'::json)`.as('host_emails'),
      sql<string | null>`(SELECT display_name FROM users WHERE id = ${actor.userId})`.as('inviter_name'),
    ])
    .where('w.id', '=', partner.workspace_id)
    .executeTakeFirstOrThrow();
  const domainProblem = guestDomainProblem(input.email, workspace.verified_domains, hostEmails);
  if (domainProblem)
    throw invalid('guest-domain-not-allowed', domainProblem, [{ path: 'email', message: domainProblem }]);

  const existing = await tx
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', partner.workspace_id)
    .where(sql<string>`lower(email)`, '=', input.email.toLowerCase())
    .executeTakeFirst();
  let userId: string;
  if (existing && existing.kind === 'member') {
    throw conflict('email-taken', `${input.email} belongs to a member of this workspace, who cannot also be a guest.`, [
      { path: 'email', message: 'This email belongs to a workspace member.' },
    ]);
  } else if (existing && existing.status !== 'deactivated') {
    throw conflict(
      'guest-exists',
      `${input.email} is already a guest in this workspace; a person can be the guest of one partner only.`,
      [{ path: 'email', message: 'This person is already a guest here.' }],
    );
  } else if (existing) {
    // A removed guest invited again: the same user record comes back, so their history stays in one place.
    await tx
      .updateTable('users')
      .set({
        status: 'invited',
        password_hash: null,
        must_change_password: true,
        access_ends_at: accessEndsAt,
        access_end_warned_at: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', existing.id)
      .execute();
    // A revoked invitee is still listed under their old partner; they move to this one.
    await tx
      .deleteFrom('partner_members')
      .where('user_id', '=', existing.id)
      .where('role', '<>', 'host_admin')
      .execute();
    // They start over as a new guest would: no second factor, recovery code or trusted device of before
    // (whoever holds the old phone or browser must not get in with the new temporary password).
    await tx.deleteFrom('recovery_codes').where('user_id', '=', existing.id).execute();
    await tx.deleteFrom('mfa_factors').where('user_id', '=', existing.id).execute();
    await tx
      .updateTable('devices')
      .set({ status: 'removed', removed_at: sql`now()`, updated_at: sql`now()` })
      .where('user_id', '=', existing.id)
      .where('status', '<>', 'removed')
      .execute();
    userId = existing.id;
  } else {
    const user = await tx
      .insertInto('users')
      .values({
        workspace_id: partner.workspace_id,
        email: input.email,
        username: input.email,
        display_name: input.email,
        kind: 'guest',
        role: 'guest',
        status: 'invited',
        password_hash: null,
        must_change_password: true,
        access_ends_at: accessEndsAt,
        updated_at: sql<Date>`now()`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isUniqueViolation(error))
          throw conflict('guest-exists', `${input.email} was just invited by someone else.`);
        throw error;
      });
    userId = user.id;
  }
  await tx
    .insertInto('partner_members')
    .values({ partner_id: partner.id, user_id: userId, role: input.role })
    .execute();

  const link = newInvitationLink(workspace);
  const credential = await newInvitationCredential(tx, deps.keyring, partner.workspace_id);
  const invitation = await tx
    .insertInto('invitations')
    .values({
      workspace_id: partner.workspace_id,
      partner_id: partner.id,
      user_id: userId,
      invited_by: actor.userId,
      role: input.role,
      temp_password_hash: credential.hash,
      link_token_hash: link.tokenHash,
      expires_at: link.expiresAt,
      updated_at: sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await queueInvitationMail(tx, deps, workspace, actor, partner, {
    invitationId: invitation.id,
    email: input.email,
    password: credential.password,
    link,
    inviterName,
  });
  await recordEvent(tx, {
    workspaceId: partner.workspace_id,
    actorId: actor.userId,
    action: 'user.invited',
    targetType: 'user',
    targetId: userId,
    context,
    details: {
      partnerId: partner.id,
      partnerName: partner.name,
      email: input.email,
      role: input.role,
      ...(accessEndsAt && { accessEndsAt: accessEndsAt.toISOString() }),
      invitationId: invitation.id,
    },
  });
  return { userId, invitationId: invitation.id, role: input.role, expiresAt: link.expiresAt };
}

interface InvitationLink {
  /** Goes only into the mail; the database keeps its hash. */
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

/** A fresh Join as a guest link, valid for the workspace's invitation lifetime from now. */
function newInvitationLink(workspace: Workspace): InvitationLink {
  const token = randomToken();
  return {
    token,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + workspace.invitation_ttl_hours * 3600_000),
  };
}

async function queueInvitationMail(
  tx: Kysely<Database>,
  deps: InvitationDeps,
  workspace: Workspace,
  actor: Actor,
  partner: Partner,
  message: {
    invitationId: string;
    email: string;
    password: string;
    link: InvitationLink;
    /** When the caller has read it already (null: the inviter is gone). */
    inviterName?: string | null;
  },
): Promise<void> {
  const inviterName =
    message.inviterName !== undefined
      ? message.inviterName
      : ((await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst())
          ?.display_name ?? null);
  const joinUrl = new URL(`/w/${workspace.slug}`, deps.publicUrl);
  joinUrl.searchParams.set('invitation', message.link.token);
  const mail = invitationMail({
    workspaceName: workspace.name,
    partnerName: partner.name,
    inviterName: inviterName ?? 'A host admin',
    username: message.email,
    temporaryPassword: message.password,
    expiresAt: message.link.expiresAt,
    joinUrl: joinUrl.toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: partner.workspace_id,
    invitationId: message.invitationId,
    kind: 'invitation',
    to: message.email,
    ...mail,
  });
}

interface InvitationContext {
  invitation: Invitation;
  partner: Partner;
}

async function loadManageableInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  invitationId: string,
): Promise<InvitationContext> {
  const invitation = await tx
    .selectFrom('invitations')
    .selectAll()
    .where('id', '=', invitationId)
    .where('workspace_id', '=', actor.workspaceId)
    .forUpdate()
    .executeTakeFirst();
  // A member's invitation (no partner) is managed from the Members page, never through these routes.
  if (!invitation?.partner_id) throw notFound('Invitation');
  const { partner, standing } = await loadPartner(tx, actor, invitation.partner_id);
  ensure(
    partnerPolicy.manageInvitations(standing),
    'Only host admins and guest admins of this partner can manage its invitations.',
  );
  if (standing.partnerRole === 'guest_admin' && invitation.role !== 'guest_user') {
    throw forbiddenGuestAdminInvitation();
  }
  return { invitation, partner };
}

const forbiddenGuestAdminInvitation = () =>
  new AppError(
    'forbidden',
    403,
    'Not allowed',
    "Guest admins manage guest users' invitations; ask a host admin about a guest admin's.",
  );

/** The partner an invitation of the actor's workspace belongs to, or null when there is no such invitation. */
export async function invitationPartnerId(
  db: Kysely<Database>,
  actor: Actor,
  invitationId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('invitations')
    .select('partner_id')
    .where('id', '=', invitationId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('partner_id', 'is not', null)
    .executeTakeFirst();
  return row?.partner_id ?? null;
}

/** New temporary password (the old one is void), new link, expiry restarted, mail sent again. */
export async function resendInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  invitationId: string,
  deps: InvitationDeps,
  context: RequestContext,
): Promise<void> {
  const { invitation, partner } = await loadManageableInvitation(tx, actor, invitationId);
  if (invitation.state === 'accepted')
    throw conflict('invitation-accepted', 'This invitation was already accepted; the guest has joined.');
  if (invitation.state === 'revoked')
    throw conflict('invitation-revoked', 'This invitation was revoked; invite the person again instead.');
  const workspace = await tx
    .selectFrom('workspaces')
    .selectAll()
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  const user = await tx
    .selectFrom('users')
    .select('email')
    .where('id', '=', invitation.user_id)
    .executeTakeFirstOrThrow();
  await cancelPendingMail(tx, invitation.id);
  const link = newInvitationLink(workspace);
  const credential = await newInvitationCredential(tx, deps.keyring, actor.workspaceId);
  await tx
    .updateTable('invitations')
    .set({
      state: 'pending',
      temp_password_hash: credential.hash,
      link_token_hash: link.tokenHash,
      expires_at: link.expiresAt,
      times_sent: sql`times_sent + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', invitation.id)
    .execute();
  // Someone half-way through signing in with the old password is sent back to the start.
  await endSessionsOf(tx, invitation.user_id);
  await queueInvitationMail(tx, deps, workspace, actor, partner, {
    invitationId: invitation.id,
    email: user.email,
    password: credential.password,
    link,
  });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'invitation.resent',
    targetType: 'invitation',
    targetId: invitation.id,
    context,
    details: { partnerId: partner.id, email: user.email, timesSent: invitation.times_sent + 1 },
  });
}

/** Ends a pending invitation: the invited user is deactivated (and shown so until invited again). */
export async function revokeInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  invitationId: string,
  context: RequestContext,
): Promise<void> {
  const { invitation, partner } = await loadManageableInvitation(tx, actor, invitationId);
  if (invitation.state === 'accepted')
    throw conflict('invitation-accepted', 'This invitation was already accepted; remove the guest instead.');
  if (invitation.state === 'revoked') throw conflict('invitation-revoked', 'This invitation was already revoked.');
  await tx
    .updateTable('invitations')
    .set({ state: 'revoked', revoked_at: sql`now()`, temp_password_hash: null, updated_at: sql`now()` })
    .where('id', '=', invitation.id)
    .execute();
  await cancelPendingMail(tx, invitation.id);
  // The person stays listed on the partner page (deactivated, invitation revoked) until invited again.
  await tx
    .updateTable('users')
    .set({ status: 'deactivated', updated_at: sql`now()` })
    .where('id', '=', invitation.user_id)
    .execute();
  await endSessionsOf(tx, invitation.user_id);
  await removeAllDevicesOf(tx, invitation.user_id, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    context,
    reason: 'invitation_revoked',
  });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'invitation.revoked',
    targetType: 'invitation',
    targetId: invitation.id,
    context,
    details: { partnerId: partner.id, userId: invitation.user_id },
  });
}

export interface InvitationLinkView {
  state: Invitation['state'];
  workspace: { slug: string; name: string };
  username: string;
  partnerName: string;
  invitedBy: string | null;
  expiresAt: string;
  resendBy: string[];
}

/** What the waiting page shows for a Join as a guest link. Knows nothing without the exact token. */
export async function lookupInvitationLink(db: Kysely<Database>, token: string): Promise<InvitationLinkView> {
  const row = await db
    .selectFrom('invitations as i')
    .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
    .innerJoin('partners as p', 'p.id', 'i.partner_id')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .leftJoin('users as inviter', 'inviter.id', 'i.invited_by')
    .select([
      'i.id',
      'i.state',
      'i.expires_at',
      'i.partner_id',
      'w.slug',
      'w.name as workspace_name',
      'p.name as partner_name',
      'u.username',
      'inviter.display_name as inviter_name',
    ])
    .where('i.link_token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) {
    throw new AppError(
      'invitation-not-found',
      404,
      'Invitation not found',
      'This invitation link is not valid. If the invitation was sent again, use the link in the newest email.',
    );
  }
  const hosts = await db
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select('u.display_name')
    .where('pm.partner_id', '=', row.partner_id)
    .where('pm.role', '=', 'host_admin')
    .orderBy('u.display_name')
    .execute();
  return {
    state: effectiveState({ state: row.state, expires_at: row.expires_at }),
    workspace: { slug: row.slug, name: row.workspace_name },
    username: row.username,
    partnerName: row.partner_name,
    invitedBy: row.inviter_name,
    expiresAt: row.expires_at.toISOString(),
    resendBy: hosts.map((h) => h.display_name),
  };
}

/** Marks overdue pending invitations expired, one activity event each. Returns how many. */
export async function expireOverdueInvitations(tx: Kysely<Database>): Promise<number> {
  const expired = await tx
    .updateTable('invitations')
    .set({ state: 'expired', updated_at: sql`now()` })
    .where('state', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .returning(['id', 'workspace_id', 'partner_id', 'user_id'])
    .execute();
  for (const invitation of expired) {
    await cancelPendingMail(tx, invitation.id);
    await recordEvent(tx, {
      workspaceId: invitation.workspace_id,
      actorId: null,
      action: 'invitation.expired',
      targetType: 'invitation',
      targetId: invitation.id,
      context: { ip: null, userAgent: null },
      details: { partnerId: invitation.partner_id, userId: invitation.user_id },
    });
  }
  return expired.length;
}
