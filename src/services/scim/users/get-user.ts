import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { userResource, type ScimResource } from '../resources.js';
import type { ScimCaller } from '../tokens.js';
import { readMember } from './shared.js';

export async function getScimUser(
  db: Kysely<Database>,
  caller: ScimCaller,
  userId: string,
  baseUrl: string,
): Promise<ScimResource> {
  return userResource(await readMember(db, caller.workspaceId, userId), baseUrl);
}
