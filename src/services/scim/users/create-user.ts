import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { recordEvent } from '../../activity.js';
import { userResource, type ScimResource } from '../resources.js';
import type { ScimCaller } from '../tokens.js';
import { applyChanges } from './apply-changes.js';
import { auditOf, lockMember, readMember, rethrowUniqueness, uniqueness } from './shared.js';
import { readUserInput } from './user-input.js';

/** POST /Users: a new member who signs in through the IdP; one the IdP deleted before comes back. */
export async function createScimUser(
  tx: Kysely<Database>,
  caller: ScimCaller,
  body: unknown,
  baseUrl: string,
): Promise<ScimResource> {
  const input = readUserInput(body, true);
  const existing = await tx
    .selectFrom('users as u')
    .leftJoin('scim_users as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.kind', 'u.status', 's.deleted_at'])
    .where('u.workspace_id', '=', caller.workspaceId)
    .where(sql<string>`lower(u.email)`, '=', input.email)
    .forUpdate('u')
    .executeTakeFirst();
  if (existing) {
    const deletedByScim =
      existing.kind === 'member' && existing.deleted_at !== null && existing.status === 'deactivated';
    if (!deletedByScim) throw uniqueness(`A person with userName ${input.email} already exists in this workspace.`);
    await tx.updateTable('scim_users').set({ deleted_at: null }).where('user_id', '=', existing.id).execute();
    await applyChanges(tx, caller, await lockMember(tx, caller, existing.id), input);
    return userResource(await readMember(tx, caller.workspaceId, existing.id), baseUrl);
  }
  const user = await rethrowUniqueness(
    tx
      .insertInto('users')
      .values({
        workspace_id: caller.workspaceId,
        email: input.email,
        username: input.email,
        display_name: input.displayName,
        given_name: input.givenName,
        family_name: input.familyName,
        kind: 'member',
        role: 'member',
        status: input.active ? 'active' : 'deactivated',
        password_hash: null,
        must_change_password: false,
        updated_at: sql<Date>`now()`,
      })
      .returning(['id', 'email'])
      .executeTakeFirstOrThrow(),
    `A person with userName ${input.email} already exists in this workspace.`,
  );
  await rethrowUniqueness(
    tx
      .insertInto('scim_users')
      .values({ user_id: user.id, workspace_id: caller.workspaceId, external_id: input.externalId })
      .execute(),
    `Another user already has externalId ${input.externalId ?? ''}.`,
  );
  await recordEvent(tx, {
    workspaceId: caller.workspaceId,
    actorId: null,
    action: 'member.created',
    targetType: 'user',
    targetId: user.id,
    context: caller.context,
    details: { ...auditOf(caller), email: user.email, role: 'member', active: input.active },
  });
  return userResource(await readMember(tx, caller.workspaceId, user.id), baseUrl);
}
