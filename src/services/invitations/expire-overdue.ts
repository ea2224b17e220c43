import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { cancelPendingMail } from '../../mail/outbox.js';
import { recordEvent } from '../activity.js';

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
