import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { userResource, type ScimResource } from '../resources.js';
import type { ScimCaller } from '../tokens.js';
import { applyChanges } from './apply-changes.js';
import { lockMember, readMember } from './shared.js';
import { readUserInput } from './user-input.js';

/** PUT /Users/{id}: the whole user as the IdP has it now. */
export async function replaceScimUser(
  tx: Kysely<Database>,
  caller: ScimCaller,
  userId: string,
  body: unknown,
  baseUrl: string,
): Promise<ScimResource> {
  const user = await lockMember(tx, caller, userId);
  // A PUT that leaves out `active` does not reactivate someone deactivated.
  await applyChanges(tx, caller, user, readUserInput(body, user.status === 'active'));
  return userResource(await readMember(tx, caller.workspaceId, userId), baseUrl);
}
