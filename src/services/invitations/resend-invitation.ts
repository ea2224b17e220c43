import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { conflict } from '../../domain/errors.js';
import { cancelPendingMail } from '../../mail/outbox.js';
import { recordEvent } from '../activity.js';
import { endSessionsOf } from '../partner-access.js';
import { newInvitationCredential } from './credentials.js';
import { newInvitationLink, queueInvitationMail, type InvitationDeps } from './invitation-mail.js';
import { loadManageableInvitation } from './manageable-invitation.js';

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
