import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { verifyAgainstDummy, verifyPassword } from '../crypto/passwords.js';
import { deriveKey } from '../crypto/seal.js';

/**
 * Temporary passwords of invitations: a 20-character random secret (~116 bits) is stored as
 * HMAC-SHA-256 under a key derived (HKDF) from the workspace's data key, not as argon2id. A slow hash
 * exists to make guessing a *chosen* password expensive; a 116-bit random secret cannot be guessed either
 * way, so the keyed hash protects it as well and costs microseconds instead of an argon2 slot
 * (docs/decisions.md). Deriving from the data key keeps the hashes valid across master-key rotation,
 * which re-wraps data keys without changing them; the stored value names the data key it used.
 *
 *   hmac-sha256$<workspace key id>$<base64url MAC>
 *
 * Anything else stored (`$argon2id$…`, from before, or a password people chose) is checked with argon2.
 */
export const TEMPORARY_HASH_PREFIX = 'hmac-sha256$';

/** The part of the workspace keyring temporary passwords need (WorkspaceKeyring is one). */
export interface TemporaryPasswordKeys {
  activeKey(tx: Kysely<Database>, workspaceId: string): Promise<{ id: string; key: Buffer }>;
  dataKey(db: Kysely<Database>, workspaceId: string, workspaceKeyId: string): Promise<Buffer>;
}

const derivedKeys = new WeakMap<Buffer, Buffer>();

function macKey(dataKey: Buffer): Buffer {
  let key = derivedKeys.get(dataKey);
  if (!key) {
    key = deriveKey(dataKey, 'temporary-password');
    derivedKeys.set(dataKey, key);
  }
  return key;
}

const mac = (dataKey: Buffer, password: string) =>
  createHmac('sha256', macKey(dataKey)).update(password, 'utf8').digest();

/** The stored form of a temporary password, keyed with the workspace's active data key. */
export async function hashTemporaryPassword(
  tx: Kysely<Database>,
  keys: TemporaryPasswordKeys,
  workspaceId: string,
  password: string,
): Promise<string> {
  const { id, key } = await keys.activeKey(tx, workspaceId);
  return `${TEMPORARY_HASH_PREFIX}${id}$${mac(key, password).toString('base64url')}`;
}

/** Whether `password` matches a keyed temporary-password hash; false for anything malformed. */
async function verifyKeyed(
  db: Kysely<Database>,
  keys: TemporaryPasswordKeys,
  workspaceId: string,
  stored: string,
  password: string,
): Promise<boolean> {
  const [keyId, encoded] = stored.slice(TEMPORARY_HASH_PREFIX.length).split('$');
  if (!keyId || !encoded) return false;
  const expected = Buffer.from(encoded, 'base64url');
  const key = await keys.dataKey(db, workspaceId, keyId);
  const actual = mac(key, password);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Checks a password against what a user or invitation stores: a keyed temporary-password hash, or argon2
 * for anything else. A wrong answer against a keyed hash still spends the argon2 work of the dummy check,
 * so how long a refusal takes tells nobody whether the username is an invited guest; only someone who
 * knows the temporary password gets the fast answer.
 */
export async function verifyStoredPassword(
  db: Kysely<Database>,
  keys: TemporaryPasswordKeys,
  workspaceId: string,
  stored: string,
  password: string,
  options: { equalTiming?: boolean } = {},
): Promise<boolean> {
  if (!stored.startsWith(TEMPORARY_HASH_PREFIX)) return verifyPassword(stored, password);
  const ok = await verifyKeyed(db, keys, workspaceId, stored, password);
  if (!ok && (options.equalTiming ?? true)) await verifyAgainstDummy(password);
  return ok;
}
