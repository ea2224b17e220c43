import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, forbidden, invalid } from '../domain/errors.js';
import { checkPassword, passwordFieldErrors } from '../domain/password-policy.js';
import { memberPolicy } from '../domain/policies/members.js';
import type { AssignableMemberRole } from '../domain/roles.js';
import { hashPassword } from '../crypto/passwords.js';
import { recordEvent } from './activity.js';
import { isUniqueViolation, toUserView, type UserView } from './users.js';

export interface AddMemberInput {
  email: string;
  displayName: string;
  role: AssignableMemberRole;
  password: string;
}

/** A member as the Members page shows them: their MFA, last sign-in, and what the viewer may do. */
export interface MemberView extends UserView {
  mfa: { totp: boolean; passkeys: number };
  lastSignInAt: string | null;
  permissions: { resetMfa: boolean };
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
    ])
    .where('u.workspace_id', '=', actor.workspaceId)
    .where('u.kind', '=', 'member')
    .orderBy('u.created_at')
    .orderBy('u.email')
    .execute();
  return rows.map((row) => {
    const passkeys = Number(row.passkeys ?? 0);
    const hasFactor = Boolean(row.has_totp) || passkeys > 0;
    const target = { userId: row.id, kind: 'member' as const, role: row.role, hostedByActor: false };
    return {
      ...toUserView(row),
      mfa: { totp: Boolean(row.has_totp), passkeys },
      lastSignInAt: row.last_sign_in_at ? new Date(row.last_sign_in_at).toISOString() : null,
      // Nothing to reset without a factor; and who acts on whom is the policy's.
      permissions: { resetMfa: hasFactor && row.status === 'active' && memberPolicy.resetMfa(actor, target) },
    };
  });
}

/** The password hash is computed before the transaction opens (see prepareMemberPassword). */
export function prepareMemberPassword(actor: Actor, input: AddMemberInput): Promise<string> {
  if (!memberPolicy.add(actor)) throw forbidden('Only the workspace owner and admins can add members.');
  const problems = checkPassword(input.password, { username: input.email, email: input.email });
  if (problems.length > 0)
    throw invalid('weak-password', problems.join(' '), passwordFieldErrors('password', problems));
  return hashPassword(input.password);
}

export async function addMember(
  tx: Kysely<Database>,
  actor: Actor,
  input: AddMemberInput,
  passwordHash: string,
  context: RequestContext,
): Promise<UserView> {
  if (!memberPolicy.add(actor)) throw forbidden('Only the workspace owner and admins can add members.');
  const user = await tx
    .insertInto('users')
    .values({
      workspace_id: actor.workspaceId,
      email: input.email,
      username: input.email,
      display_name: input.displayName,
      kind: 'member',
      role: input.role,
      status: 'active',
      password_hash: passwordHash,
      updated_at: sql<Date>`now()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw conflict('email-taken', `${input.email} already belongs to someone in this workspace.`, [
          { path: 'email', message: 'Someone in this workspace already uses this email.' },
        ]);
      }
      throw error;
    });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'member.created',
    targetType: 'user',
    targetId: user.id,
    context,
    details: { email: user.email, role: user.role },
  });
  return toUserView(user);
}
