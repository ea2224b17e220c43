import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a fresh 12-byte nonce per message and caller-chosen associated data, in a versioned
 * text format `v1:{keyId}:{iv}:{tag}:{ciphertext}` (base64url parts). The associated data binds a
 * ciphertext to where it belongs: moved to another row or field, it fails to open.
 */
export class SealError extends Error {
  constructor(message = 'The sealed value cannot be opened with this key') {
    super(message);
    this.name = 'SealError';
  }
}

/** A 32-byte key for one purpose, derived from the master key (HKDF-SHA256). */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `gatehouse:${purpose}`, 32));
}

export function seal(key: Buffer, keyId: string, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', keyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
}

export function sealedKeyId(sealed: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new SealError('Unknown sealed format');
  return parts[1]!;
}

export function open(key: Buffer, sealed: string, associatedData: string): string {
  const parts = sealed.split(':');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new SealError('Unknown sealed format');
  const [, , iv, tag, ciphertext] = parts as [string, string, string, string, string];
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError();
  }
}
