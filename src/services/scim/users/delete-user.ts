import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import type { ScimCaller } from '../tokens.js';
import { deprovision } from './member-status.js';
import { lockMember, ownerRefusal } from './shared.js';

/** DELETE /Users/{id}: deactivated with every effect, and gone from SCIM until provisioned again. */
export async function deleteScimUser(tx: Kysely<Database>, caller: ScimCaller, userId: string): Promise<void> {
  const user = await lockMember(tx, caller, userId);
  if (user.role === 'owner') throw ownerRefusal();
  if (user.status !== 'deactivated') await deprovision(tx, caller, user, 'deleted_in_identity_provider');
  await tx
    .insertInto('scim_users')
    .values({ user_id: user.id, workspace_id: caller.workspaceId, external_id: null, deleted_at: sql`now()` })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ deleted_at: sql`now()` }))
    .execute();
}
