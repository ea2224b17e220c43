import { sql, type Kysely } from 'kysely';
import { scimPatch, ScimError as PatchError, type ScimPatchOperation } from 'scim-patch';
import { z } from 'zod';
import type { Database, User } from '../../db/schema.js';
import { findUnsafeCharacter } from '../../domain/text.js';
import { recordEvent } from '../activity.js';
import { applyDeactivation, handoverNeeded, transfer } from '../member-lifecycle.js';
import { isUniqueViolation } from '../users.js';
import { ScimError, scimInvalid, scimNotFound } from './errors.js';
import { parseListQuery, selectPage, type ListQuery } from './filters.js';
import { listResponse, userResource, type ScimMemberRow, type ScimResource } from './resources.js';
import type { ScimCaller } from './tokens.js';

/**
 * SCIM Users (RFC 7644 §3) as workspace members (SPEC §2b). The identity provider creates members who sign
 * in through it (no Gatehouse password), renames them, deactivates them with every effect of **Deactivate**
 * and reactivates them. Guests are not SCIM's: it neither sees nor changes them. The owner is seen but never
 * deactivated, renamed by address or moved between roles.
 */

/** What Gatehouse keeps of a SCIM user; every other attribute a connector sends is accepted and ignored. */
interface UserInput {
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string;
  active: boolean;
  externalId: string | null;
}

const userNotFound = () => scimNotFound('User');

function memberRows(db: Kysely<Database>, workspaceId: string) {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function readMember(db: Kysely<Database>, workspaceId: string, userId: string): Promise<ScimMemberRow> {
  if (!UUID.test(userId)) throw userNotFound();
  const row = await memberRows(db, workspaceId).where('u.id', '=', userId).executeTakeFirst();
  if (!row) throw userNotFound();
  return row;
}

export async function getScimUser(
  db: Kysely<Database>,
  caller: ScimCaller,
  userId: string,
  baseUrl: string,
): Promise<ScimResource> {
  return userResource(await readMember(db, caller.workspaceId, userId), baseUrl);
}

export async function listScimUsers(
  db: Kysely<Database>,
  caller: ScimCaller,
  rawQuery: Record<string, unknown>,
  baseUrl: string,
) {
  const query: ListQuery = parseListQuery(rawQuery);
  let rows = memberRows(db, caller.workspaceId);
  // The filters connectors send to find one person before creating them are answered by the index.
  // userName compares case-insensitively (RFC 7643 §4.1.1), which SQL's lower() does and the library does not.
  const exact = query.exactMatch;
  let answered = true;
  if (exact?.attribute === 'username' || exact?.attribute === 'emails.value' || exact?.attribute === 'emails')
    rows = rows.where(sql<string>`lower(u.email)`, '=', exact.value.toLowerCase());
  else if (exact?.attribute === 'externalid') rows = rows.where('s.external_id', '=', exact.value);
  else if (exact?.attribute === 'id') {
    if (!UUID.test(exact.value)) return listResponse([], 0, query.startIndex);
    rows = rows.where('u.id', '=', exact.value);
  } else answered = false;
  const all = (await rows.orderBy('u.created_at').orderBy('u.id').execute()).map((row) => userResource(row, baseUrl));
  const { page, total } = selectPage(all, answered ? { ...query, filter: null } : query);
  return listResponse(page, total, query.startIndex);
}

// Entra sends booleans as the strings "True" and "False".
const ScimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i)
    .transform((value) => value.toLowerCase() === 'true'),
]);

const ScimText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `Use at most ${max} characters.` })
    .refine((value) => findUnsafeCharacter(value) === null, { error: 'Contains a character that cannot be shown.' });

const UserBody = z.looseObject({
  userName: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'userName must be the person’s email address.' }).max(254)),
  externalId: ScimText(255).nullish(),
  displayName: ScimText(100).nullish(),
  name: z
    .looseObject({
      givenName: ScimText(100).nullish(),
      familyName: ScimText(100).nullish(),
      formatted: ScimText(100).nullish(),
    })
    .nullish(),
  active: ScimBoolean.nullish(),
});

function readUserInput(body: unknown, fallbackActive: boolean): UserInput {
  const parsed = UserBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    throw scimInvalid(
      path === 'userName' && issue.code === 'invalid_type'
        ? 'userName is required.'
        : `${path || 'body'}: ${issue.message}`,
      path === 'userName' && issue.code === 'invalid_type' ? 'invalidSyntax' : 'invalidValue',
    );
  }
  const value = parsed.data;
  const givenName = value.name?.givenName || null;
  const familyName = value.name?.familyName || null;
  const displayName =
    value.displayName ||
    value.name?.formatted ||
    [givenName, familyName].filter(Boolean).join(' ') ||
    value.userName.split('@')[0]!;
  return {
    email: value.userName,
    givenName,
    familyName,
    displayName,
    active: value.active ?? fallbackActive,
    externalId: value.externalId || null,
  };
}

const auditOf = (caller: ScimCaller) => ({ via: 'scim', tokenName: caller.tokenName });

const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');

async function rethrowUniqueness<T>(work: Promise<T>, detail: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueness(detail);
    throw error;
  }
}

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

async function lockMember(tx: Kysely<Database>, caller: ScimCaller, userId: string): Promise<User> {
  await readMember(tx, caller.workspaceId, userId);
  return tx.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

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

const PatchBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(
      z.looseObject({
        op: z.string(),
        path: z.string().optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(100),
});

/** The attributes a PATCH may name that Gatehouse keeps; others (title, department…) are ignored. */
const KEPT_ATTRIBUTES = new Set(['username', 'name', 'displayname', 'active', 'externalid', 'emails']);

/** Reads the PatchOp body: ops in any case (Entra capitalises them), paths Gatehouse does not keep dropped. */
export function readPatchOperations(body: unknown): ScimPatchOperation[] {
  const parsed = PatchBody.safeParse(body);
  if (!parsed.success) throw scimInvalid('The body must be a PatchOp with Operations.', 'invalidSyntax');
  return parsed.data.Operations.map((operation) => {
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw scimInvalid(`Unknown PATCH operation “${operation.op}”.`, 'invalidSyntax');
    return { ...operation, op } as ScimPatchOperation;
  });
}

function keptOperations(operations: ScimPatchOperation[]): ScimPatchOperation[] {
  return operations.filter((operation) => {
    if (!operation.path) return true;
    const top = operation.path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '').split(/[.[]/)[0]!;
    return KEPT_ATTRIBUTES.has(top.toLowerCase());
  });
}

export function applyPatch<T extends ScimResource>(resource: T, operations: ScimPatchOperation[]): T {
  try {
    return scimPatch(resource as T & { meta: never; schemas: string[] }, operations, {
      mutateDocument: false,
      treatMissingAsAdd: true,
    });
  } catch (error) {
    if (error instanceof PatchError) {
      const scimType =
        error.scimCode === 'noTarget' || error.scimCode === 'invalidPath' ? error.scimCode : 'invalidValue';
      throw scimInvalid(error.message, scimType);
    }
    throw error;
  }
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

const ownerRefusal = () =>
  new ScimError(
    403,
    'The workspace owner is never deactivated or deleted: transfer the workspace ownership in Gatehouse first.',
  );

/** Brings the member to what the IdP says, recording one event per kind of change. */
async function applyChanges(tx: Kysely<Database>, caller: ScimCaller, user: User, input: UserInput): Promise<void> {
  const changed: string[] = [];
  if (input.email !== user.email.toLowerCase()) {
    if (user.role === 'owner')
      throw new ScimError(400, 'The workspace owner’s email address is changed in Gatehouse only.', 'mutability');
    // A person with a Gatehouse password could otherwise be taken over by a reset link to the new address.
    if (user.password_hash !== null)
      throw new ScimError(
        400,
        'This member signs in with a Gatehouse password; their email address is changed in Gatehouse (Change email), not through SCIM.',
        'mutability',
      );
    await rethrowUniqueness(
      tx
        .updateTable('users')
        .set({ email: input.email, username: input.email, updated_at: sql`now()` })
        .where('id', '=', user.id)
        .execute(),
      `A person with userName ${input.email} already exists in this workspace.`,
    );
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'user.email_changed',
      targetType: 'user',
      targetId: user.id,
      context: caller.context,
      details: { ...auditOf(caller), from: user.email, to: input.email },
    });
  }
  if (
    input.displayName !== user.display_name ||
    input.givenName !== user.given_name ||
    input.familyName !== user.family_name
  ) {
    await tx
      .updateTable('users')
      .set({
        display_name: input.displayName,
        given_name: input.givenName,
        family_name: input.familyName,
        updated_at: sql`now()`,
      })
      .where('id', '=', user.id)
      .execute();
    changed.push('name');
  }
  const link = await tx
    .selectFrom('scim_users')
    .select('external_id')
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if ((link?.external_id ?? null) !== input.externalId) {
    await rethrowUniqueness(
      tx
        .insertInto('scim_users')
        .values({ user_id: user.id, workspace_id: caller.workspaceId, external_id: input.externalId })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ external_id: input.externalId }))
        .execute(),
      `Another user already has externalId ${input.externalId ?? ''}.`,
    );
    changed.push('externalId');
  }
  if (changed.length > 0)
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'member.updated',
      targetType: 'user',
      targetId: user.id,
      context: caller.context,
      details: { ...auditOf(caller), email: input.email, changed },
    });
  if (!input.active && user.status !== 'deactivated') {
    if (user.role === 'owner') throw ownerRefusal();
    await deprovision(tx, caller, { ...user, email: input.email }, 'deprovisioned');
  } else if (input.active && user.status !== 'active') {
    await activate(tx, caller, { ...user, email: input.email });
  }
}

/**
 * `active: false`: **Deactivate**, which must not fail for an identity provider. What only they own or
 * host passes to the workspace owner (who is always there) instead of waiting for **Transfer ownership to**.
 */
async function deprovision(tx: Kysely<Database>, caller: ScimCaller, user: User, reason: string): Promise<void> {
  if (user.status === 'invited') {
    await tx
      .updateTable('invitations')
      .set({ state: 'revoked', revoked_at: sql`now()`, updated_at: sql`now()` })
      .where('user_id', '=', user.id)
      .where('partner_id', 'is', null)
      .where('state', '=', 'pending')
      .execute();
  }
  const handover = await handoverNeeded(tx, user.id);
  if (handover.accounts.length + handover.partners.length > 0) {
    const owner = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('workspace_id', '=', caller.workspaceId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    await transfer(tx, handover, user.id, owner.id);
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'member.ownership_transferred',
      targetType: 'user',
      targetId: owner.id,
      context: caller.context,
      details: {
        ...auditOf(caller),
        from: user.id,
        fromEmail: user.email,
        toEmail: owner.email,
        accounts: handover.accounts.map((a) => a.id),
        partners: handover.partners.map((p) => p.id),
      },
    });
  }
  await applyDeactivation(tx, user, {
    workspaceId: caller.workspaceId,
    actorId: null,
    context: caller.context,
    reason,
    details: auditOf(caller),
  });
}

/**
 * `active: true`: **Reactivate** (sign-in only, nothing given back). An invited member the IdP vouches
 * for has joined: their pending invitation is accepted, as when they first sign in through the IdP.
 */
async function activate(tx: Kysely<Database>, caller: ScimCaller, user: User): Promise<void> {
  const accepted = await tx
    .updateTable('invitations')
    .set({ state: 'accepted', accepted_at: sql`now()`, updated_at: sql`now()` })
    .where('user_id', '=', user.id)
    .where('partner_id', 'is', null)
    .where('state', '=', 'pending')
    .returning('id')
    .execute();
  await tx
    .updateTable('users')
    .set({ status: 'active', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await recordEvent(tx, {
    workspaceId: caller.workspaceId,
    actorId: null,
    action: user.status === 'invited' ? 'user.joined' : 'user.reactivated',
    targetType: 'user',
    targetId: user.id,
    context: caller.context,
    details: { ...auditOf(caller), email: user.email, ...(accepted[0] ? { invitationId: accepted[0].id } : {}) },
  });
}
