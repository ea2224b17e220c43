import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { masterKeyId, newDataKey, openAccountField, sealAccountField, unwrapDataKey, wrapDataKey } from './keyring.js';
import { SealError } from './seal.js';

const WORKSPACE = '11111111-1111-4111-8111-111111111111';
const OTHER_WORKSPACE = '22222222-2222-4222-8222-222222222222';
const ACCOUNT = '33333333-3333-4333-8333-333333333333';
const OTHER_ACCOUNT = '44444444-4444-4444-8444-444444444444';

describe('envelope encryption', () => {
  it('wraps a data key so that only the same master key, workspace and key id unwrap it', () => {
    const master = randomBytes(32);
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(master, dataKey, WORKSPACE, 'key-1');
    expect(unwrapDataKey(master, wrapped, WORKSPACE, 'key-1').equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(randomBytes(32), wrapped, WORKSPACE, 'key-1')).toThrow(SealError);
    expect(() => unwrapDataKey(master, wrapped, OTHER_WORKSPACE, 'key-1')).toThrow(SealError);
    expect(() => unwrapDataKey(master, wrapped, WORKSPACE, 'key-2')).toThrow(SealError);
    expect(wrapped).not.toContain(dataKey.toString('base64'));
  });

  it('names master keys stably without revealing them', () => {
    const master = randomBytes(32);
    expect(masterKeyId(master)).toBe(masterKeyId(Buffer.from(master)));
    expect(masterKeyId(master)).not.toBe(masterKeyId(randomBytes(32)));
    expect(masterKeyId(master)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('binds each sealed field to its workspace, account and field name', () => {
    const dataKey = newDataKey();
    const sealed = sealAccountField(dataKey, 'key-1', WORKSPACE, ACCOUNT, 'password', 'hunter2 but longer');
    expect(sealed).not.toContain('hunter2');
    expect(openAccountField(dataKey, WORKSPACE, ACCOUNT, 'password', sealed)).toBe('hunter2 but longer');
    expect(() => openAccountField(dataKey, WORKSPACE, ACCOUNT, 'notes', sealed)).toThrow(SealError);
    expect(() => openAccountField(dataKey, WORKSPACE, OTHER_ACCOUNT, 'password', sealed)).toThrow(SealError);
    expect(() => openAccountField(dataKey, OTHER_WORKSPACE, ACCOUNT, 'password', sealed)).toThrow(SealError);
    expect(() => openAccountField(newDataKey(), WORKSPACE, ACCOUNT, 'password', sealed)).toThrow(SealError);
  });

  it('uses a fresh nonce each time: the same secret never seals to the same text', () => {
    const dataKey = newDataKey();
    const a = sealAccountField(dataKey, 'key-1', WORKSPACE, ACCOUNT, 'password', 'same');
    const b = sealAccountField(dataKey, 'key-1', WORKSPACE, ACCOUNT, 'password', 'same');
    expect(a).not.toBe(b);
  });
});
