import { sql, type Kysely } from 'kysely';
import type { ScimPatchOperation } from 'scim-patch';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { recordEvent } from '../activity.js';
import { ScimError, scimInvalid, scimNotFound } from './errors.js';
import { parseListQuery, selectPage } from './filters.js';
import { ADMIN_GROUP, groupResource, listResponse, type ScimResource } from './resources.js';
import type { ScimCaller } from './tokens.js';
import { applyPatch, readPatchOperations } from './patch.js';

/**
 * SCIM Groups (SPEC §2b): one group, “Gatehouse admins”, whose members are the workspace's admins. Adding
 * a member to it makes them an admin, removing them makes them a member again. The owner is in no group and
 * never moved by one.
 */

const groupNotFound = () => scimNotFound('Group');

async function admins(db: Kysely<Database>, workspaceId: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('scim_users as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.email'])
    .where('u.workspace_id', '=', workspaceId)
    .where('u.kind', '=', 'member')
    .where('u.role', '=', 'admin')
    .where((eb) => eb.not(eb.and([eb('s.deleted_at', 'is not', null), eb('u.status', '=', 'deactivated')])))
    .orderBy('u.created_at')
    .execute();
}

async function adminGroup(db: Kysely<Database>, caller: ScimCaller, baseUrl: string): Promise<ScimResource> {
  const workspace = await db
    .selectFrom('workspaces')
    .select('created_at')
    .where('id', '=', caller.workspaceId)
    .executeTakeFirstOrThrow();
  return groupResource(await admins(db, caller.workspaceId), baseUrl, workspace.created_at);
}

export async function listScimGroups(
  db: Kysely<Database>,
  caller: ScimCaller,
  rawQuery: Record<string, unknown>,
  baseUrl: string,
) {
  const query = parseListQuery(rawQuery);
  const group = await adminGroup(db, caller, baseUrl);
  // displayName compares case-insensitively (RFC 7643 §4.2), which the library's eq does not.
  if (query.exactMatch?.attribute === 'displayname') {
    const matches = query.exactMatch.value.toLowerCase() === ADMIN_GROUP.displayName.toLowerCase();
    const { page, total } = selectPage(matches ? [group] : [], { ...query, filter: null });
    return listResponse(page, total, query.startIndex);
  }
  const { page, total } = selectPage([group], query);
  return listResponse(page, total, query.startIndex);
}

export async function getScimGroup(
  db: Kysely<Database>,
  caller: ScimCaller,
  groupId: string,
  rawQuery: Record<string, unknown>,
  baseUrl: string,
): Promise<ScimResource> {
  if (groupId !== ADMIN_GROUP.id) throw groupNotFound();
  const query = parseListQuery(rawQuery);
  return selectPage([await adminGroup(db, caller, baseUrl)], { ...query, filter: null, startIndex: 1 }).page[0]!;
}

/** POST /Groups: there is only the one group; a connector finds it by its displayName. */
export function createScimGroup(body: unknown): never {
  const name = (body as { displayName?: unknown } | null)?.displayName;
  if (typeof name === 'string' && name.trim().toLowerCase() === ADMIN_GROUP.displayName.toLowerCase())
    throw new ScimError(
      409,
      `The group “${ADMIN_GROUP.displayName}” already exists (id ${ADMIN_GROUP.id}).`,
      'uniqueness',
    );
  throw new ScimError(
    403,
    `Gatehouse has one group, “${ADMIN_GROUP.displayName}” (id ${ADMIN_GROUP.id}), mapped to the admin role; push or link your admins' group to it.`,
  );
}

export function deleteScimGroup(): never {
  throw new ScimError(403, `“${ADMIN_GROUP.displayName}” cannot be deleted; remove its members instead.`);
}

const MemberList = z.array(z.looseObject({ value: z.string().min(1).max(100) })).max(10_000);

const GroupBody = z.looseObject({
  displayName: z.string().optional(),
  members: MemberList.nullish(),
});

/** PUT /Groups/{id}: the group's members are exactly these. */
export async function replaceScimGroup(
  tx: Kysely<Database>,
  caller: ScimCaller,
  groupId: string,
  body: unknown,
  baseUrl: string,
): Promise<ScimResource> {
  if (groupId !== ADMIN_GROUP.id) throw groupNotFound();
  const parsed = GroupBody.safeParse(body);
  if (!parsed.success) throw scimInvalid('members must be a list of {"value": user id}.', 'invalidValue');
  refuseRename(parsed.data.displayName);
  await setAdmins(
    tx,
    caller,
    (parsed.data.members ?? []).map((member) => member.value),
  );
  return adminGroup(tx, caller, baseUrl);
}

/** PATCH /Groups/{id}: add and remove members, in Okta's and Entra's shapes. */
export async function patchScimGroup(
  tx: Kysely<Database>,
  caller: ScimCaller,
  groupId: string,
  body: unknown,
  baseUrl: string,
): Promise<ScimResource> {
  if (groupId !== ADMIN_GROUP.id) throw groupNotFound();
  const operations = readPatchOperations(body).flatMap(removalsByValue);
  const patched = applyPatch(await adminGroup(tx, caller, baseUrl), operations);
  const parsed = GroupBody.safeParse(patched);
  if (!parsed.success) throw scimInvalid('members must be a list of {"value": user id}.', 'invalidValue');
  refuseRename(parsed.data.displayName);
  await setAdmins(
    tx,
    caller,
    (parsed.data.members ?? []).map((member) => member.value),
  );
  return adminGroup(tx, caller, baseUrl);
}

/**
 * Entra removes members as `{"op":"Remove","path":"members","value":[{"value":id}]}`, naming each by its id
 * only; scim-patch would look for an identical object (display and $ref too), so each becomes a removal by
 * filter, `members[value eq "id"]`.
 */
function removalsByValue(operation: ScimPatchOperation): ScimPatchOperation[] {
  if (operation.op !== 'remove' || operation.path?.toLowerCase() !== 'members' || !Array.isArray(operation.value))
    return [operation];
  return (operation.value as unknown[]).map((member) => {
    const value = (member as { value?: unknown } | null)?.value;
    if (typeof value !== 'string') throw scimInvalid('Name each member to remove by its value (user id).');
    return { op: 'remove', path: `members[value eq ${JSON.stringify(value)}]` };
  });
}

function refuseRename(displayName: string | undefined): void {
  if (displayName !== undefined && displayName.trim().toLowerCase() !== ADMIN_GROUP.displayName.toLowerCase())
    throw new ScimError(400, `The group is called “${ADMIN_GROUP.displayName}”; it cannot be renamed.`, 'mutability');
}

async function setAdmins(tx: Kysely<Database>, caller: ScimCaller, wantedIds: string[]): Promise<void> {
  const wanted = new Set(wantedIds);
  const people =
    wanted.size === 0
      ? []
      : await tx
          .selectFrom('users')
          .select(['id', 'email', 'role'])
          .where('workspace_id', '=', caller.workspaceId)
          .where('kind', '=', 'member')
          .where(sql<string>`id::text`, 'in', [...wanted])
          .forUpdate()
          .execute();
  const known = new Set(people.map((person) => person.id));
  const unknown = [...wanted].filter((id) => !known.has(id));
  if (unknown.length > 0) throw scimInvalid(`No member has the id ${unknown[0]}.`, 'invalidValue');
  const current = await admins(tx, caller.workspaceId);
  const promote = people.filter((person) => person.role === 'member');
  const demote = current.filter((admin) => !wanted.has(admin.id));
  for (const [person, from, to] of [
    ...promote.map((p) => [p, 'member', 'admin'] as const),
    ...demote.map((p) => [p, 'admin', 'member'] as const),
  ]) {
    await tx
      .updateTable('users')
      .set({ role: to, updated_at: sql`now()` })
      .where('id', '=', person.id)
      .execute();
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'member.role_changed',
      targetType: 'user',
      targetId: person.id,
      context: caller.context,
      details: { via: 'scim', tokenName: caller.tokenName, email: person.email, from, to },
    });
  }
}
