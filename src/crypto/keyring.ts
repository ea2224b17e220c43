import { createHmac, randomBytes } from 'node:crypto';
import { deriveKey, open, seal } from './seal.js';

/**
 * Envelope encryption (SPEC §7). The master key never encrypts data itself: it wraps one random data key
 * per workspace, and the data key seals each secret field. Rotating the master key re-wraps a few data
 * keys instead of re-encrypting every secret.
 */

/** A short public name for a master key (not a hash of it: an HMAC under the key), to find its wraps. */
export function masterKeyId(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update('gatehouse:master-key-id').digest('hex').slice(0, 16);
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

const wrapAad = (workspaceId: string, workspaceKeyId: string) => `workspace-key:${workspaceId}:${workspaceKeyId}`;

export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, workspaceId: string, workspaceKeyId: string): string {
  return seal(
    deriveKey(masterKey, 'workspace-key-wrap'),
    masterKeyId(masterKey),
    dataKey.toString('base64'),
    wrapAad(workspaceId, workspaceKeyId),
  );
}

/** Throws SealError when the master key is not the one that wrapped it, or the wrap was moved or altered. */
export function unwrapDataKey(masterKey: Buffer, wrapped: string, workspaceId: string, workspaceKeyId: string): Buffer {
  const key = Buffer.from(
    open(deriveKey(masterKey, 'workspace-key-wrap'), wrapped, wrapAad(workspaceId, workspaceKeyId)),
    'base64',
  );
  if (key.length !== 32) throw new Error('A workspace data key must be 32 bytes');
  return key;
}

export type AccountField = 'username' | 'password' | 'totp_secret' | 'notes';

/** The associated data that binds a sealed field to its workspace, account and field. */
export function accountFieldAad(workspaceId: string, accountId: string, field: AccountField): string {
  return `account:${workspaceId}:${accountId}:${field}`;
}

export function sealAccountField(
  dataKey: Buffer,
  workspaceKeyId: string,
  workspaceId: string,
  accountId: string,
  field: AccountField,
  plaintext: string,
): string {
  return seal(dataKey, workspaceKeyId, plaintext, accountFieldAad(workspaceId, accountId, field));
}

export function openAccountField(
  dataKey: Buffer,
  workspaceId: string,
  accountId: string,
  field: AccountField,
  sealed: string,
): string {
  return open(dataKey, sealed, accountFieldAad(workspaceId, accountId, field));
}
