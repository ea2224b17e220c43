import { sql, type Kysely } from 'kysely';
import type { Database, User } from '../../../db/schema.js';
import { recordEvent } from '../../activity.js';
import { applyDeactivation, handoverNeeded, transfer } from '../../member-lifecycle.js';
import type { ScimCaller } from '../tokens.js';
import { auditOf } from './shared.js';

/**
 * `active: false`: **Deactivate**, which must not fail for an identity provider. What only they own or
 * host passes to the workspace owner (who is always there) instead of waiting for **Transfer ownership to**.
 */
export async function deprovision(tx: Kysely<Database>, caller: ScimCaller, user: User, reason: string): Promise<void> {
  if (user.status === 'invited') {
    await tx
      .updateTable('invitations')
      .set({ state: 'revoked', revoked_at: sql`now()`, updated_at: sql`now()` })
      .where('user_id', '=', user.id)
      .where('partner_id', 'is', null)
      .where('state', '=', 'pending')
      .execute();
  }
  const handover = await handoverNeeded(tx, user.id);
  if (handover.accounts.length + handover.partners.length > 0) {
    const owner = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('workspace_id', '=', caller.workspaceId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    await transfer(tx, handover, user.id, owner.id);
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'member.ownership_transferred',
      targetType: 'user',
      targetId: owner.id,
      context: caller.context,
      details: {
        ...auditOf(caller),
        from: user.id,
        fromEmail: user.email,
        toEmail: owner.email,
        accounts: handover.accounts.map((a) => a.id),
        partners: handover.partners.map((p) => p.id),
      },
    });
  }
  await applyDeactivation(tx, user, {
    workspaceId: caller.workspaceId,
    actorId: null,
    context: caller.context,
    reason,
    details: auditOf(caller),
  });
}

/**
 * `active: true`: **Reactivate** (sign-in only, nothing given back). An invited member the IdP vouches
 * for has joined: their pending invitation is accepted, as when they first sign in through the IdP.
 */
export async function activate(tx: Kysely<Database>, caller: ScimCaller, user: User): Promise<void> {
  const accepted = await tx
    .updateTable('invitations')
    .set({ state: 'accepted', accepted_at: sql`now()`, updated_at: sql`now()` })
    .where('user_id', '=', user.id)
    .where('partner_id', 'is', null)
    .where('state', '=', 'pending')
    .returning('id')
    .execute();
  await tx
    .updateTable('users')
    .set({ status: 'active', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await recordEvent(tx, {
    workspaceId: caller.workspaceId,
    actorId: null,
    action: user.status === 'invited' ? 'user.joined' : 'user.reactivated',
    targetType: 'user',
    targetId: user.id,
    context: caller.context,
    details: { ...auditOf(caller), email: user.email, ...(accepted[0] ? { invitationId: accepted[0].id } : {}) },
  });
}
