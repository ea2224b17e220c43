import { sql, type Kysely } from 'kysely';
import type { Database, GuestRole, Partner, PartnerRole } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { conflict, invalid } from '../../domain/errors.js';
import { guestDomainProblem, partnerPolicy } from '../../domain/policies/partners.js';
import { chosenEnd } from '../access-ends.js';
import { recordEvent } from '../activity.js';
import { ensure, partnerRoleOf } from '../partner-access.js';
import { isUniqueViolation } from '../users.js';
import { newInvitationCredential } from './credentials.js';
import { newInvitationLink, queueInvitationMail, type InvitationDeps } from './invitation-mail.js';

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
