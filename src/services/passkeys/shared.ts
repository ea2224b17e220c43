import { sql, type Kysely } from 'kysely';
import type { Database, MfaFactor } from '../../db/schema.js';
import { passkeyNameTaken } from './passkey-problems.js';

/**
 * Passkeys and security keys as a second factor (WebAuthn, SPEC §5). One use case per file in this folder
 * (passkey-registration: **Add a passkey**; passkey-authentication: **Use a passkey**; list-passkeys,
 * rename-passkey, remove-passkey; challenges holds a ceremony's challenge on the session, relying-party
 * whom credentials are bound to, passkey-problems their answers); this one holds what they share.
 */

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function toView(row: Pick<MfaFactor, 'id' | 'name' | 'created_at' | 'last_used_at'>): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export async function userPasskeys(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('mfa_factors')
    .select(['id', 'credential_id', 'transports'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .orderBy('created_at')
    .execute();
}

/** Locks the user's row: factor changes for one user (add, rename, remove) happen one at a time. */
export async function lockUser(tx: Kysely<Database>, userId: string): Promise<void> {
  await tx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

export async function ensureNameFree(tx: Kysely<Database>, userId: string, name: string, exceptId?: string) {
  let query = tx
    .selectFrom('mfa_factors')
    .select('id')
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw passkeyNameTaken();
}
