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

export async function listMembers(db: Kysely<Database>, actor: Actor): Promise<UserView[]> {
  if (!memberPolicy.list(actor)) throw forbidden('Guests cannot see the workspace member list.');
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'role', 'status', 'created_at'])
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .orderBy('created_at')
    .orderBy('email')
    .execute();
  return rows.map(toUserView);
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
