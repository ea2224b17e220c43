import type { Kysely } from 'kysely';
import type { Database, Invitation } from '../../db/schema.js';
import { AppError } from '../../domain/errors.js';
import { effectiveState } from '../../domain/invitations.js';
import { hashToken } from '../../crypto/tokens.js';

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
