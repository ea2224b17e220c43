import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { cancelPendingMail } from '../../mail/outbox.js';
import { recordEvent } from '../activity.js';
import { removeAllDevicesOf } from '../device-removal.js';
import { endSessionsOf } from '../partner-access.js';
import { loadManageableInvitation } from './manageable-invitation.js';

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
