import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { forbidden } from '../domain/errors.js';
import { effectiveState } from '../domain/invitations.js';
import { memberPolicy, type MemberTarget } from '../domain/policies/members.js';
import type { InvitationState, OutboxState } from '../db/schema.js';
import { toUserView, type UserView } from './users.js';

/** What the viewer may do to a member: each flag is the policy the server enforces on that action. */
export interface MemberPermissions {
  resetMfa: boolean;
  changeRole: boolean;
  deactivate: boolean;
  reactivate: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
  changeEmail: boolean;
}

/** A member as the Members page shows them: their MFA, last sign-in, invitation, and what the viewer may do. */
export interface MemberView extends UserView {
  mfa: { totp: boolean; passkeys: number };
  lastSignInAt: string | null;
  /** The newest member invitation, while they are invited or it was revoked before they joined. */
  invitation: { state: InvitationState; expiresAt: string; delivery: OutboxState | null } | null;
  permissions: MemberPermissions;
  /** How they sign in: in an `idp` workspace members use the IdP, the owner keeps the password (break-glass). */
  signsInWith: 'password' | 'identity_provider';
}

export async function listMembers(db: Kysely<Database>, actor: Actor): Promise<MemberView[]> {
  if (!memberPolicy.list(actor)) throw forbidden('Guests cannot see the workspace member list.');
  const rows = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.email', 'u.display_name', 'u.role', 'u.status', 'u.created_at'])
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('mfa_factors as f')
            .select('f.id')
            .whereRef('f.user_id', '=', 'u.id')
            .where('f.kind', '=', 'totp')
            .where('f.confirmed_at', 'is not', null),
        )
        .as('has_totp'),
      eb
        .selectFrom('mfa_factors as f')
        .select((f) => f.fn.countAll<string>().as('n'))
        .whereRef('f.user_id', '=', 'u.id')
        .where('f.kind', '=', 'passkey')
        .as('passkeys'),
      eb
        .selectFrom('sessions as s')
        .select((s) => s.fn.max('s.created_at').as('at'))
        .whereRef('s.user_id', '=', 'u.id')
        .as('last_sign_in_at'),
      eb
        .selectFrom('invitations as i')
        .select('i.state')
        .whereRef('i.user_id', '=', 'u.id')
        .where('i.partner_id', 'is', null)
        .orderBy('i.created_at', 'desc')
        .limit(1)
        .as('invitation_state'),
      eb
        .selectFrom('invitations as i')
        .select('i.expires_at')
        .whereRef('i.user_id', '=', 'u.id')
        .where('i.partner_id', 'is', null)
        .orderBy('i.created_at', 'desc')
        .limit(1)
        .as('invitation_expires_at'),
      eb
        .selectFrom('invitations as i')
        .innerJoin('outbox as o', 'o.invitation_id', 'i.id')
        .select('o.state')
        .whereRef('i.user_id', '=', 'u.id')
        .where('i.partner_id', 'is', null)
        .orderBy('o.created_at', 'desc')
        .limit(1)
        .as('delivery'),
    ])
    .where('u.workspace_id', '=', actor.workspaceId)
    .where('u.kind', '=', 'member')
    .orderBy('u.created_at')
    .orderBy('u.email')
    .execute();
  const { mode } = await db
    .selectFrom('workspaces')
    .select('mode')
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  return rows.map((row) => {
    const passkeys = Number(row.passkeys ?? 0);
    const hasFactor = Boolean(row.has_totp) || passkeys > 0;
    const target: MemberTarget = { userId: row.id, role: row.role, status: row.status };
    const invitation =
      row.invitation_state && row.invitation_expires_at && row.invitation_state !== 'accepted'
        ? {
            state: effectiveState({ state: row.invitation_state, expires_at: new Date(row.invitation_expires_at) }),
            expiresAt: new Date(row.invitation_expires_at).toISOString(),
            delivery: row.delivery ?? null,
          }
        : null;
    // A member whose invitation was revoked before joining is invited again rather than reactivated.
    const neverJoined = invitation !== null;
    return {
      ...toUserView(row),
      mfa: { totp: Boolean(row.has_totp), passkeys },
      lastSignInAt: row.last_sign_in_at ? new Date(row.last_sign_in_at).toISOString() : null,
      invitation,
      signsInWith: mode === 'idp' && row.role !== 'owner' ? ('identity_provider' as const) : ('password' as const),
      permissions: {
        // Nothing to reset without a factor; and who acts on whom is the policy's.
        resetMfa:
          hasFactor &&
          row.status === 'active' &&
          memberPolicy.resetMfa(actor, { ...target, kind: 'member', hostedByActor: false }),
        changeRole: memberPolicy.changeRole(actor, target, 'admin') || memberPolicy.changeRole(actor, target, 'member'),
        deactivate: memberPolicy.deactivate(actor, target),
        reactivate: !neverJoined && memberPolicy.reactivate(actor, target),
        resendInvitation: memberPolicy.manageInvitation(actor, target),
        revokeInvitation: memberPolicy.manageInvitation(actor, target),
        changeEmail: memberPolicy.changeEmail(actor, target),
      },
    };
  });
}
