import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { hashPassword } from '../../crypto/passwords.js';
import { hashTemporaryPassword, type TemporaryPasswordKeys } from '../temporary-passwords.js';

/** A fresh temporary password and its argon2id hash, made before the transaction opens (password resets). */
export interface TemporaryCredential {
  password: string;
  hash: string;
}

// No look-alike characters (0/O, 1/l/I): the password is typed from an email.
const TEMPORARY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const TEMPORARY_PASSWORD_LENGTH = 20;

function newTemporaryPassword(): string {
  let password = '';
  for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++)
    password += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
  return password;
}

export async function newTemporaryCredential(): Promise<TemporaryCredential> {
  const password = newTemporaryPassword();
  return { password, hash: await hashPassword(password) };
}

/**
 * An invitation's temporary password and its keyed hash (HMAC-SHA-256 under the workspace's data key,
 * see temporary-passwords.ts): microseconds, so it is made inside the invitation's transaction.
 */
export async function newInvitationCredential(
  tx: Kysely<Database>,
  keys: TemporaryPasswordKeys,
  workspaceId: string,
): Promise<TemporaryCredential> {
  const password = newTemporaryPassword();
  return { password, hash: await hashTemporaryPassword(tx, keys, workspaceId, password) };
}
