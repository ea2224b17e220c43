import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveKey, open, seal, SealError, sealedKeyId } from './seal.js';

describe('sealing', () => {
  const key = deriveKey(randomBytes(32), 'test');

  it('round-trips, with a fresh nonce each time and the key id readable', () => {
    const a = seal(key, 'k1', 'temporary password: Xy7!', 'outbox:1');
    const b = seal(key, 'k1', 'temporary password: Xy7!', 'outbox:1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('Xy7');
    expect(sealedKeyId(a)).toBe('k1');
    expect(open(key, a, 'outbox:1')).toBe('temporary password: Xy7!');
  });

  it('refuses other associated data, another key, or a tampered ciphertext', () => {
    const sealed = seal(key, 'k1', 'secret', 'outbox:1');
    expect(() => open(key, sealed, 'outbox:2')).toThrow(SealError);
    expect(() => open(deriveKey(randomBytes(32), 'test'), sealed, 'outbox:1')).toThrow(SealError);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('SECRET').toString('base64url');
    expect(() => open(key, parts.join(':'), 'outbox:1')).toThrow(SealError);
    expect(() => open(key, 'plain text', 'outbox:1')).toThrow(SealError);
  });

  it('derives different keys for different purposes', () => {
    const master = randomBytes(32);
    expect(deriveKey(master, 'outbox').equals(deriveKey(master, 'vault'))).toBe(false);
    expect(deriveKey(master, 'outbox').equals(deriveKey(master, 'outbox'))).toBe(true);
  });
});
