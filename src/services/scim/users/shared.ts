import type { Kysely } from 'kysely';
import type { Database, User } from '../../../db/schema.js';
import { isUniqueViolation } from '../../users.js';
import { ScimError, scimNotFound } from '../errors.js';
import type { ScimMemberRow } from '../resources.js';
import type { ScimCaller } from '../tokens.js';

/**
 * SCIM Users (RFC 7644 §3) as workspace members (SPEC §2b). The identity provider creates members who sign
 * in through it (no Gatehouse password), renames them, deactivates them with every effect of **Deactivate**
 * and reactivates them. Guests are not SCIM's: it neither sees nor changes them. The owner is seen but never
 * deactivated, renamed by address or moved between roles.
 *
 * One use case per file in this folder (get-user, list-users, create-user, replace-user, patch-user,
 * delete-user; user-input reads what the IdP sends, apply-changes brings a member to it, member-status
 * deactivates and reactivates); this one holds what they share.
 */

const userNotFound = () => scimNotFound('User');

export function memberRows(db: Kysely<Database>, workspaceId: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('scim_users as s', 's.user_id', 'u.id')
    .select([
      'u.id',
      'u.email',
      'u.given_name',
      'u.family_name',
      'u.display_name',
      'u.role',
      'u.status',
      'u.created_at',
      'u.updated_at',
      's.external_id',
    ])
    .where('u.workspace_id', '=', workspaceId)
    .where('u.kind', '=', 'member')
    .where((eb) => eb.not(eb.and([eb('s.deleted_at', 'is not', null), eb('u.status', '=', 'deactivated')])));
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readMember(db: Kysely<Database>, workspaceId: string, userId: string): Promise<ScimMemberRow> {
  if (!UUID.test(userId)) throw userNotFound();
  const row = await memberRows(db, workspaceId).where('u.id', '=', userId).executeTakeFirst();
  if (!row) throw userNotFound();
  return row;
}

export async function lockMember(tx: Kysely<Database>, caller: ScimCaller, userId: string): Promise<User> {
  await readMember(tx, caller.workspaceId, userId);
  return tx.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

export const auditOf = (caller: ScimCaller) => ({ via: 'scim', tokenName: caller.tokenName });

export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');

export async function rethrowUniqueness<T>(work: Promise<T>, detail: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueness(detail);
    throw error;
  }
}

export const ownerRefusal = () =>
  new ScimError(
    403,
    'The workspace owner is never deactivated or deleted: transfer the workspace ownership in Gatehouse first.',
  );
