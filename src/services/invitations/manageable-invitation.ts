import type { Kysely } from 'kysely';
import type { Database, Invitation, Partner } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { AppError, notFound } from '../../domain/errors.js';
import { partnerPolicy } from '../../domain/policies/partners.js';
import { ensure, loadPartner } from '../partner-access.js';

/** A partner's invitation as those who manage it (Resend, Revoke) find it. */

interface InvitationContext {
  invitation: Invitation;
  partner: Partner;
}

export async function loadManageableInvitation(
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
