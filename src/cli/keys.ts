import { ConfigError, parseMasterKey, type Config } from '../config.js';
import { resolveMasterKey } from '../crypto/master-key.js';
import { masterKeyId } from '../crypto/keyring.js';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { addMasterKey, checkMasterKey, pruneMasterKeys } from '../services/keyring.js';
import { UsageError } from './usage-error.js';

/**
 * `gatehouse keys rotate | prune | status`: master key rotation without downtime (SPEC §7).
 * 1. `rotate` with GATEHOUSE_NEW_MASTER_KEY wraps every data key under the new key too; running servers
 *    keep working with the old one.
 * 2. Restart each server with GATEHOUSE_MASTER_KEY set to the new key (run `rotate` again if a
 *    workspace was created meanwhile: it only adds what is missing).
 * 3. `prune` with the new key as GATEHOUSE_MASTER_KEY removes the old key's wraps.
 */
export async function keysCommand(config: Config, sub: string | undefined, env = process.env): Promise<number> {
  if (sub !== 'rotate' && sub !== 'prune' && sub !== 'status') {
    throw new UsageError(`Unknown keys command "${sub ?? ''}": use rotate, prune or status.`);
  }
  const current = resolveMasterKey(config.masterKey, config.dataDir).key;
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const lines = await runKeysCommand(database, sub, current, env.GATEHOUSE_NEW_MASTER_KEY?.trim());
    for (const line of lines) console.log(line);
    return 0;
  } finally {
    await database.close();
  }
}

/** The command's work on an open database; returns what to print. */
export async function runKeysCommand(
  database: DatabaseHandle,
  sub: 'rotate' | 'prune' | 'status',
  currentKey: Buffer,
  newKeyText?: string,
): Promise<string[]> {
  const db = database.db;
  if (sub === 'status') {
    const wraps = await db
      .selectFrom('workspace_key_wraps')
      .select(['master_key_id', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('master_key_id')
      .execute();
    const lines = [`This master key: id ${masterKeyId(currentKey)}`];
    for (const wrap of wraps) lines.push(`Master key ${wrap.master_key_id} wraps ${wrap.n} data key(s)`);
    await checkMasterKey(db, currentKey);
    lines.push('This master key opens every data key.');
    return lines;
  }
  if (sub === 'prune') {
    const removed = await createUnitOfWork(db).run((tx) => pruneMasterKeys(tx, currentKey));
    return [`Removed ${removed} wrap(s) of other master keys; only master key ${masterKeyId(currentKey)} remains.`];
  }
  if (!newKeyText) {
    throw new ConfigError('GATEHOUSE_NEW_MASTER_KEY', 'must be set to the new master key (openssl rand -base64 32)');
  }
  let newKey: Buffer;
  try {
    newKey = parseMasterKey(newKeyText);
  } catch {
    throw new ConfigError('GATEHOUSE_NEW_MASTER_KEY', 'must be 32 random bytes in base64 or hex');
  }
  await checkMasterKey(db, currentKey);
  const added = await createUnitOfWork(db).run((tx) => addMasterKey(tx, currentKey, newKey));
  return [
    `Wrapped ${added} data key(s) under the new master key (id ${masterKeyId(newKey)}).`,
    'Next: restart every server with GATEHOUSE_MASTER_KEY set to the new key, run `gatehouse keys rotate` again',
    'if a workspace was created meanwhile, then run `gatehouse keys prune` with the new key.',
  ];
}
