import type { Kysely } from 'kysely';
import type { ScimPatchOperation } from 'scim-patch';
import type { Database } from '../../../db/schema.js';
import { applyPatch, readPatchOperations } from '../patch.js';
import { userResource, type ScimResource } from '../resources.js';
import type { ScimCaller } from '../tokens.js';
import { applyChanges } from './apply-changes.js';
import { lockMember, readMember } from './shared.js';
import { readUserInput } from './user-input.js';

/** The attributes a PATCH may name that Gatehouse keeps; others (title, department…) are ignored. */
const KEPT_ATTRIBUTES = new Set(['username', 'name', 'displayname', 'active', 'externalid', 'emails']);

function keptOperations(operations: ScimPatchOperation[]): ScimPatchOperation[] {
  return operations.filter((operation) => {
    if (!operation.path) return true;
    const top = operation.path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').split(/[.[]/)[0]!;
    return KEPT_ATTRIBUTES.has(top.toLowerCase());
  });
}

/** PATCH /Users/{id}: Okta's `{"op":"replace","value":{"active":false}}`, Entra's `"path":"active","value":"False"`. */
export async function patchScimUser(
  tx: Kysely<Database>,
  caller: ScimCaller,
  userId: string,
  body: unknown,
  baseUrl: string,
): Promise<ScimResource> {
  const operations = keptOperations(readPatchOperations(body));
  const user = await lockMember(tx, caller, userId);
  const current = await readMember(tx, caller.workspaceId, userId);
  const resource = userResource(current, baseUrl);
  const patched = applyPatch(resource, operations);
  await applyChanges(tx, caller, user, readUserInput(patched, current.status === 'active'));
  return userResource(await readMember(tx, caller.workspaceId, userId), baseUrl);
}
