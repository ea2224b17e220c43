import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../src/cli/keys.js';
import { loadConfig } from '../../src/config.js';
import { masterKeyId } from '../../src/crypto/keyring.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { startServer } from '../../src/server.js';
import { checkMasterKey, MasterKeyMismatchError } from '../../src/services/keyring.js';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import { openSecondPostgresHandle, postgresUrlOf } from '../helpers/two-instances.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * Master key rotation (SPEC §7): `gatehouse keys rotate` re-wraps the data keys under a new master key
 * while a server keeps running on the old one, and nothing becomes unreadable.
 */
let t: TestApp;
let owner: TestClient;
let ownerSecret: string;
const accounts: Array<{ id: string; password: string }> = [];

beforeEach(async () => {
  t = await createTestApp({ worker: false });
  owner = await setUpWorkspace(t);
  ownerSecret = (await turnOnMfa(owner)).secret;
  await trustDevice(owner, owner);
  accounts.length = 0;
  for (const n of [1, 2, 3]) {
    const password = `rotation password ${n} ${randomBytes(4).toString('hex')}`;
    const created = await owner.post('/api/v1/accounts', { ...ACCOUNT, name: `Account ${n}`, password });
    expect(created.statusCode, created.body).toBe(201);
    accounts.push({ id: (created.json() as { id: string }).id, password });
  }
});
afterEach(async () => {
  await t.close();
});

const base64 = (key: Buffer) => key.toString('base64');
const onPostgres = () => t.database.kind === 'postgres';

/** `gatehouse keys …`: a real process on PostgreSQL, beside the running server; in-process on PGlite. */
async function keys(sub: 'rotate' | 'prune' | 'status', current: Buffer, next?: Buffer): Promise<string> {
  if (!onPostgres()) return (await runKeysCommand(t.database, sub, current, next && base64(next))).join('\n');
  const result = spawnSync(process.execPath, [path.resolve('bin/gatehouse.mjs'), 'keys', sub], {
    env: {
      ...process.env,
      GATEHOUSE_DATABASE_URL: postgresUrlOf(t.database),
      GATEHOUSE_MASTER_KEY: base64(current),
      ...(next ? { GATEHOUSE_NEW_MASTER_KEY: base64(next) } : {}),
      GATEHOUSE_LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/** Another server instance on the same database with its own master key, and the owner's session in it. */
async function instanceWith(
  masterKey: Buffer,
): Promise<{ app: FastifyInstance; client: TestClient; close(): Promise<void> }> {
  const database: DatabaseHandle = onPostgres() ? openSecondPostgresHandle(t.database) : t.database;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-rotation-'));
  const app = await buildApp({
    config: loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent' }),
    database,
    masterKey,
    logger: false,
    clock: testClock,
  });
  await app.ready();
  const client = new TestClient(app);
  for (const name of ['gatehouse_session', 'gatehouse_device']) client.setCookie(name, owner.cookie(name)!);
  return {
    app,
    client,
    close: async () => {
      await app.close();
      if (database !== t.database) await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function revealAll(client: TestClient): Promise<string[]> {
  const values: string[] = [];
  for (const account of accounts) {
    const response = await client.post(`/api/v1/accounts/${account.id}/reveal`, { field: 'password' });
    expect(response.statusCode, response.body).toBe(200);
    values.push((response.json() as { value: string }).value);
  }
  return values;
}

describe('master key rotation', () => {
  it('keeps every secret readable by the running server, then by servers on the new key, then prunes the old', async () => {
    const oldKey = t.app.masterKey;
    const newKey = randomBytes(32);
    await confirmIdentity(owner, ownerSecret);
    const passwords = accounts.map((a) => a.password);
    expect(await revealAll(owner)).toEqual(passwords);

    const rotated = await keys('rotate', oldKey, newKey);
    expect(rotated).toContain(`under the new master key (id ${masterKeyId(newKey)})`);
    // The server that was running all along, on the old key, still reads everything.
    expect(await revealAll(owner)).toEqual(passwords);

    // A server restarted on the new key reads everything too, and so does one still on the old key.
    const restarted = await instanceWith(newKey);
    try {
      expect(await revealAll(restarted.client)).toEqual(passwords);
      // Accounts created meanwhile on the old key are wrapped for the new key by running rotate again.
      expect(await keys('rotate', oldKey, newKey)).toContain('Wrapped 0 data key(s)');

      const pruned = await keys('prune', newKey);
      expect(pruned).toContain(`only master key ${masterKeyId(newKey)} remains`);
      expect(await revealAll(restarted.client)).toEqual(passwords);
      // Mail queued before the rotation (the device code) still opens on the new key.
      const outbox = (await restarted.client.get('/api/v1/dev/outbox')).json() as {
        messages: Array<{ subject: string; text: string | null }>;
      };
      expect(outbox.messages.length).toBeGreaterThan(0);
      expect(outbox.messages.filter((m) => m.text === null)).toEqual([]);
      // The owner's authenticator, sealed under the workspace's data key too, still works on the new key.
      await confirmIdentity(restarted.client, ownerSecret);
      await expect(checkMasterKey(t.database.db, oldKey)).rejects.toThrow(MasterKeyMismatchError);
      expect(await keys('status', newKey)).toContain('This master key opens every data key.');
    } finally {
      await restarted.close();
    }
  });

  it('refuses to prune while a data key is not wrapped for the key that stays', async () => {
    const unrelated = randomBytes(32);
    if (onPostgres()) {
      const result = spawnSync(process.execPath, [path.resolve('bin/gatehouse.mjs'), 'keys', 'prune'], {
        env: {
          ...process.env,
          GATEHOUSE_DATABASE_URL: postgresUrlOf(t.database),
          GATEHOUSE_MASTER_KEY: base64(unrelated),
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`The master key (id ${masterKeyId(unrelated)}) does not open`);
    } else {
      await expect(runKeysCommand(t.database, 'prune', unrelated)).rejects.toThrow(MasterKeyMismatchError);
    }
    // Nothing was removed: the running server still reads everything.
    await confirmIdentity(owner, ownerSecret);
    expect(await revealAll(owner)).toEqual(accounts.map((a) => a.password));
  });

  it('stops a server started with the wrong master key, with a message that says so', async () => {
    const wrong = randomBytes(32);
    await expect(checkMasterKey(t.database.db, wrong)).rejects.toThrow(
      new RegExp(`The master key \\(id ${masterKeyId(wrong)}\\) does not open this database's 1 data key`),
    );
    if (!onPostgres()) return;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-wrong-key-'));
    try {
      const config = loadConfig({
        GATEHOUSE_DATA_DIR: dataDir,
        GATEHOUSE_DATABASE_URL: postgresUrlOf(t.database),
        GATEHOUSE_MASTER_KEY: base64(wrong),
        GATEHOUSE_LOG_LEVEL: 'silent',
        PORT: '0',
      });
      await expect(startServer(config)).rejects.toThrow(MasterKeyMismatchError);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
