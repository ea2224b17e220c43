import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Account, Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError, forbidden, invalid } from '../domain/errors.js';
import { accountPolicy, type AccountStanding } from '../domain/policies/accounts.js';
import { accountPermissions } from '../domain/policies/permissions.js';
import { openAccountField, sealAccountField, type AccountField } from '../crypto/keyring.js';
import { sealedKeyId } from '../crypto/seal.js';
import { base32Decode, base32Encode, parseTotpSecretInput, totpAt } from '../crypto/totp.js';
import type { WorkspaceKeyring } from './keyring.js';
import { recordAccountEvent } from './activity.js';
import { queryActivity, type ActivityPage } from './activity-log.js';
import { accessibleAccounts, ensureAccount, loadAccount, sharingPartnerStanding } from './account-access.js';

export interface AccountInput {
  name: string;
  appName: string;
  loginUrl: string | null;
  username: string | null;
  password: string | null;
  totpSecret: string | null;
  notes: string | null;
}

/** What any role may see of an account: never the password or the TOTP secret. */
export interface AccountView {
  id: string;
  name: string;
  appName: string;
  loginUrl: string | null;
  username: string | null;
  notes: string | null;
  hasPassword: boolean;
  hasTotp: boolean;
  role: AccountStanding['role'];
  permissions: ReturnType<typeof accountPermissions>;
  createdAt: string;
  updatedAt: string;
}

const SEALED_COLUMN = {
  username: 'username_sealed',
  password: 'password_sealed',
  totp_secret: 'totp_secret_sealed',
  notes: 'notes_sealed',
} as const satisfies Record<AccountField, keyof Account>;

/** Turns a TOTP secret as typed (base32 or an otpauth:// URI) into canonical base32, or a field error. */
function normalizeTotpSecret(input: string | null): string | null {
  if (input === null || input.trim() === '') return null;
  try {
    return base32Encode(parseTotpSecretInput(input));
  } catch (error) {
    throw invalid('invalid-totp-secret', (error as Error).message, [
      { path: 'totpSecret', message: (error as Error).message },
    ]);
  }
}

async function sealFields(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  accountId: string,
  fields: Partial<Record<AccountField, string | null>>,
) {
  const { id: keyId, key } = await keyring.activeKey(tx, workspaceId);
  const sealed: Partial<Record<(typeof SEALED_COLUMN)[AccountField], string | null>> = {};
  for (const [field, value] of Object.entries(fields) as Array<[AccountField, string | null | undefined]>) {
    if (value === undefined) continue;
    sealed[SEALED_COLUMN[field]] =
      value === null || value === '' ? null : sealAccountField(key, keyId, workspaceId, accountId, field, value);
  }
  return sealed;
}

async function openField(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  account: Account,
  field: AccountField,
): Promise<string | null> {
  const sealed = account[SEALED_COLUMN[field]];
  if (sealed === null) return null;
  const key = await keyring.dataKey(db, account.workspace_id, sealedKeyId(sealed));
  return openAccountField(key, account.workspace_id, account.id, field, sealed);
}

export async function toAccountView(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  account: Account,
  standing: AccountStanding,
): Promise<AccountView> {
  return {
    id: account.id,
    name: account.name,
    appName: account.app_name,
    loginUrl: account.login_url,
    username: await openField(db, keyring, account, 'username'),
    notes: await openField(db, keyring, account, 'notes'),
    hasPassword: account.password_sealed !== null,
    hasTotp: account.totp_secret_sealed !== null,
    role: standing.role,
    permissions: accountPermissions(standing, await sharingPartnerStanding(db, standing.actor, account.id)),
    createdAt: account.created_at.toISOString(),
    updatedAt: account.updated_at.toISOString(),
  };
}

/** A member creates an account and becomes its owner (SPEC §7). */
export async function createAccount(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  input: AccountInput,
  context: RequestContext,
): Promise<string> {
  if (!accountPolicy.create(actor)) throw forbidden('Guests cannot create accounts.');
  const id = randomUUID();
  const sealed = await sealFields(tx, keyring, actor.workspaceId, id, {
    username: input.username,
    password: input.password,
    totp_secret: normalizeTotpSecret(input.totpSecret),
    notes: input.notes,
  });
  await tx
    .insertInto('accounts')
    .values({
      id,
      workspace_id: actor.workspaceId,
      name: input.name,
      app_name: input.appName,
      login_url: input.loginUrl,
      created_by: actor.userId,
      ...sealed,
    })
    .execute();
  await tx
    .insertInto('grants')
    .values({ account_id: id, user_id: actor.userId, role: 'owner', granted_by: actor.userId })
    .execute();
  await recordAccountEvent(tx, actor, context, 'account.created', id, { name: input.name, appName: input.appName });
  return id;
}

/** The accounts the actor can use (the username still sealed: see openUsernames). */
export async function listAccounts(db: Kysely<Database>, actor: Actor) {
  const query = accessibleAccounts(db, actor)
    .select([
      'a.id',
      'a.name',
      'a.app_name',
      'a.login_url',
      'a.username_sealed',
      'eff.role',
      sql<boolean>`a.totp_secret_sealed IS NOT NULL`.as('has_totp'),
    ])
    .orderBy(sql`lower(a.name)`)
    .orderBy('a.id');
  return query.execute();
}

/**
 * The accounts list with its search: by name, app, login URL or username. The username is sealed, so the
 * match runs on the opened rows rather than in SQL; the list is only what this person can use.
 */
export async function findAccounts(db: Kysely<Database>, keyring: WorkspaceKeyring, actor: Actor, search?: string) {
  const rows = await openUsernames(db, keyring, actor.workspaceId, await listAccounts(db, actor));
  const term = search?.trim().toLocaleLowerCase();
  if (!term) return rows;
  return rows.filter((row) =>
    [row.name, row.app_name, row.login_url, row.username].some((field) => field?.toLocaleLowerCase().includes(term)),
  );
}

/** Listed accounts with their usernames opened (client apps show the username next to **Fill**). */
export async function openUsernames<Row extends { id: string; username_sealed: string | null }>(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  rows: Row[],
): Promise<Array<Omit<Row, 'username_sealed'> & { username: string | null }>> {
  return Promise.all(
    rows.map(async ({ username_sealed, ...row }) => ({
      ...row,
      username:
        username_sealed === null
          ? null
          : openAccountField(
              await keyring.dataKey(db, workspaceId, sealedKeyId(username_sealed)),
              workspaceId,
              row.id,
              'username',
              username_sealed,
            ),
    })),
  );
}

export async function updateAccount(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  accountId: string,
  input: Partial<AccountInput>,
  context: RequestContext,
): Promise<void> {
  const { standing } = await loadAccount(tx, actor, accountId, { lock: true });
  ensureAccount(accountPolicy.edit(standing), 'Only owners can edit this account.');
  const sealed = await sealFields(tx, keyring, actor.workspaceId, accountId, {
    username: input.username,
    password: input.password,
    totp_secret: input.totpSecret === undefined ? undefined : normalizeTotpSecret(input.totpSecret),
    notes: input.notes,
  });
  await tx
    .updateTable('accounts')
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.appName !== undefined ? { app_name: input.appName } : {}),
      ...(input.loginUrl !== undefined ? { login_url: input.loginUrl } : {}),
      ...sealed,
      updated_at: sql`now()`,
    })
    .where('id', '=', accountId)
    .execute();
  // Which fields changed, never their values.
  await recordAccountEvent(tx, actor, context, 'account.updated', accountId, {
    fields: Object.keys(input).filter((k) => input[k as keyof AccountInput] !== undefined),
  });
}

/** Deleting ends every grant on it at once (the grants go with the account's row). */
export async function deleteAccount(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  context: RequestContext,
): Promise<void> {
  const { account, standing } = await loadAccount(tx, actor, accountId, { lock: true });
  ensureAccount(accountPolicy.delete(standing), 'Only owners can delete this account.');
  await tx.deleteFrom('grants').where('account_id', '=', accountId).execute();
  await tx
    .updateTable('accounts')
    .set({
      deleted_at: sql`now()`,
      username_sealed: null,
      password_sealed: null,
      totp_secret_sealed: null,
      notes_sealed: null,
    })
    .where('id', '=', accountId)
    .execute();
  await recordAccountEvent(tx, actor, context, 'account.deleted', accountId, { name: account.name });
}

const noTotp = () => new AppError('no-totp-secret', 409, 'No TOTP secret', 'This account has no TOTP secret.');
const noPassword = () => new AppError('no-password', 409, 'No password', 'This account has no password.');

/** How close to the end of its 30 seconds the current code must be for **Log in** to give the next one too. */
export const NEXT_TOTP_CODE_WITHIN_MS = 5_000;
const TOTP_STEP_MS = 30_000;

export interface IssuedTotpCode {
  code: string;
  validFrom: Date;
  expiresAt: Date;
}

/**
 * **Log in**: the current TOTP code, computed here; the secret never leaves the server (SPEC §7). When the
 * current code has less than NEXT_TOTP_CODE_WITHIN_MS left, the next one comes too: a person who gets a code
 * with a second left would otherwise type an expired one.
 */
export async function issueTotpCode(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  accountId: string,
  device: DeliveryDevice | null,
  context: RequestContext,
  now: number,
): Promise<{ current: IssuedTotpCode; next: IssuedTotpCode | null }> {
  const { account, standing } = await loadAccount(tx, actor, accountId);
  ensureAccount(accountPolicy.totpCode(standing), 'You cannot use this account.');
  const secret = await openField(tx, keyring, account, 'totp_secret');
  if (secret === null) throw noTotp();
  const key = base32Decode(secret);
  const codeAt = (stepStart: number): IssuedTotpCode => ({
    code: totpAt(key, stepStart),
    validFrom: new Date(stepStart),
    expiresAt: new Date(stepStart + TOTP_STEP_MS),
  });
  const current = codeAt(Math.floor(now / TOTP_STEP_MS) * TOTP_STEP_MS);
  const nearEnd = current.expiresAt.getTime() - now < NEXT_TOTP_CODE_WITHIN_MS;
  const next = nearEnd ? codeAt(current.expiresAt.getTime()) : null;
  await markUsed(tx, actor, accountId);
  await recordAccountEvent(tx, actor, context, 'account.totp_code_issued', accountId, deliveredTo(device));
  return { current, next };
}

/** The device a secret went to: named in the activity event, so the account's history says where it went. */
export interface DeliveryDevice {
  id: string;
  name: string;
  kind: string;
}

const deliveredTo = (device: DeliveryDevice | null) =>
  device ? { deviceId: device.id, deviceName: device.name, deviceKind: device.kind } : { deviceId: null };

/** The password for autofill, to an approved client app on a trusted device (the route checks both). */
export async function deliverPasswordForAutofill(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  accountId: string,
  device: DeliveryDevice,
  context: RequestContext,
): Promise<{ username: string | null; password: string }> {
  const { account, standing } = await loadAccount(tx, actor, accountId);
  ensureAccount(accountPolicy.autofill(standing), 'You cannot use this account.');
  const password = await openField(tx, keyring, account, 'password');
  if (password === null) throw noPassword();
  await markUsed(tx, actor, accountId);
  await recordAccountEvent(tx, actor, context, 'account.password_delivered', accountId, deliveredTo(device));
  return { username: await openField(tx, keyring, account, 'username'), password };
}

/** **Reveal**: owners only, after identity confirmation (the route checks that). */
export async function revealSecret(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  accountId: string,
  field: 'password' | 'totp_secret',
  deviceId: string | null,
  context: RequestContext,
): Promise<string> {
  const { account, standing } = await loadAccount(tx, actor, accountId);
  ensureAccount(accountPolicy.reveal(standing), 'Only owners can reveal the password or the TOTP secret.');
  const value = await openField(tx, keyring, account, field);
  if (value === null) throw field === 'password' ? noPassword() : noTotp();
  await recordAccountEvent(
    tx,
    actor,
    context,
    field === 'password' ? 'account.password_revealed' : 'account.totp_secret_revealed',
    accountId,
    { deviceId },
  );
  return value;
}

/** "Last used" on the user's own grant, for the owner's **Users** tab. */
async function markUsed(tx: Kysely<Database>, actor: Actor, accountId: string): Promise<void> {
  await tx
    .updateTable('grants')
    .set({ last_used_at: sql`now()` })
    .where('account_id', '=', accountId)
    .where('user_id', '=', actor.userId)
    .execute();
}

/**
 * An account's **Activity** tab (SPEC §8): the Activity page's query narrowed to this account, so it reads
 * the same (sentences with names, newest first, by cursor) and stays within what the actor may see.
 * Offered to its owners and to workspace admins who can open it.
 */
export async function listAccountActivity(
  db: Kysely<Database>,
  actor: Actor,
  accountId: string,
  page: { cursor?: string; limit: number },
): Promise<ActivityPage> {
  const { standing } = await loadAccount(db, actor, accountId);
  ensureAccount(
    accountPolicy.viewActivity(standing),
    "Only the account's owners and workspace admins can see its activity.",
  );
  return queryActivity(db, actor, { accountId }, page);
}
