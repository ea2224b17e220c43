import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { parseMasterKey, type Config } from '../config.js';
import { masterKeyId } from '../crypto/keyring.js';
import { DEVELOPMENT_KEY_FILE } from '../crypto/master-key.js';
import { embeddedDatabaseDir, wrapPglite, type DatabaseHandle } from '../db/connect.js';
import { DataDirLockedError, lockDirectory, type DirectoryLock } from '../db/lock.js';
import { migrateToLatest, migrationNames } from '../db/migrator.js';
import { checkMasterKey } from '../services/keyring.js';
import { BackupError, readArchive, type BackupManifest } from './backup-archive.js';
import { parseCommandArgs, UsageError } from './usage-error.js';

interface ConfiguredKey {
  key: Buffer;
  id: string;
}

/**
 * `gatehouse restore FILE`: loads a `gatehouse backup` archive into the configured data directory, which
 * must hold no database yet. Everything that can be checked before writing is checked first (the archive,
 * the schema level, the master key); a restore that fails later removes what it wrote.
 */
export async function restoreCommand(config: Config, argv: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(() =>
    parseArgs({ args: argv, options: {}, strict: true, allowPositionals: true }),
  );
  if (positionals.length !== 1) throw new UsageError('restore needs one argument: the backup FILE.');
  if (config.databaseUrl) {
    throw new BackupError(
      'GATEHOUSE_DATABASE_URL is set: `gatehouse restore` restores the embedded database only. Restore a ' +
        'PostgreSQL backup with pg_restore; see "Back up and restore" in the README.',
    );
  }
  const file = path.resolve(positionals[0]!);
  const { manifest, databaseDump } = readArchive(readBackupFile(file), file);
  checkSchemaLevel(manifest, file);
  const key = configuredMasterKey(config);
  checkKeyOpensBackup(manifest, key, config.dataDir);

  const directory = embeddedDatabaseDir(config.dataDir);
  refuseExistingDatabase(directory);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const lock = takeLock(directory);
  let applied: string[];
  try {
    refuseExistingDatabase(directory);
    applied = await loadDump(directory, databaseDump, key);
  } finally {
    lock.release();
  }

  console.log(
    `Restored ${manifest.workspaces} workspace(s) from ${file} (made ${manifest.createdAt} by Gatehouse ` +
      `${manifest.gatehouseVersion}) into ${directory}.`,
  );
  console.log(
    applied.length > 0
      ? `The backup was older than this Gatehouse: applied migrations ${applied.join(', ')}.`
      : 'Its schema is current.',
  );
  if (key && manifest.dataKeys > 0) {
    console.log(`The master key (id ${key.id}) opens every data key: start the server with this same key.`);
  }
  return 0;
}

function readBackupFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BackupError(`${file} does not exist.`);
    if (code === 'EISDIR') throw new BackupError(`${file} is a directory, not a backup file.`);
    if (code === 'EACCES') throw new BackupError(`${file} cannot be read (permission denied).`);
    throw error;
  }
}

function checkSchemaLevel(manifest: BackupManifest, file: string): void {
  const unknown = manifest.migrations.filter((name) => !migrationNames.includes(name));
  if (unknown.length > 0) {
    throw new BackupError(
      `${file} was made by a newer Gatehouse (${manifest.gatehouseVersion}, migration ${unknown.join(', ')}), ` +
        'which this version does not know; restore it with that version or a later one. Nothing was written.',
    );
  }
}

/** GATEHOUSE_MASTER_KEY, else a development key file already in the data directory; never a new one. */
function configuredMasterKey(config: Config): ConfiguredKey | undefined {
  if (config.masterKey) return { key: config.masterKey, id: masterKeyId(config.masterKey) };
  const file = path.join(config.dataDir, DEVELOPMENT_KEY_FILE);
  if (!fs.existsSync(file)) return undefined;
  const key = parseMasterKey(fs.readFileSync(file, 'utf8').trim());
  return { key, id: masterKeyId(key) };
}

/**
 * Refuses before writing anything when the configured master key is not one the backup's data keys are
 * wrapped by: the restored vault would be unreadable, and a server would refuse to start on it.
 */
function checkKeyOpensBackup(manifest: BackupManifest, key: ConfiguredKey | undefined, dataDir: string): void {
  if (manifest.masterKeyIds.length === 0 || (key && manifest.masterKeyIds.includes(key.id))) return;
  const needed = `master key id ${manifest.masterKeyIds.join(' or ')}`;
  const configured = key
    ? `The configured master key has id ${key.id}, but this backup's data keys are wrapped by ${needed}.`
    : `No master key is configured (GATEHOUSE_MASTER_KEY is unset and there is no ${path.join(dataDir, DEVELOPMENT_KEY_FILE)}); ` +
      `this backup's data keys are wrapped by ${needed}.`;
  throw new BackupError(
    `${configured} The master key the backup was taken with is needed: without it the restored vault ` +
      'passwords and second-factor secrets cannot be read. Set GATEHOUSE_MASTER_KEY to that key (or copy its ' +
      `development key file to ${path.join(dataDir, DEVELOPMENT_KEY_FILE)}), then run gatehouse restore again. ` +
      'Nothing was written.',
  );
}

function refuseExistingDatabase(directory: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0) {
    throw new BackupError(
      `${directory} already holds a database; gatehouse restore only restores into a new data directory. ` +
        'Set GATEHOUSE_DATA_DIR to a new (or empty) directory, or move the existing one away first. Nothing was written.',
    );
  }
}

function takeLock(directory: string): DirectoryLock {
  try {
    return lockDirectory(directory);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new BackupError(
      `A Gatehouse process (pid ${error.holderPid}) holds ${directory}; stop it and restore into a new data directory.`,
    );
  }
}

/** Loads the dump, migrates it forward and checks the master key; on any failure removes what it wrote. */
async function loadDump(directory: string, databaseDump: Buffer, key: ConfiguredKey | undefined): Promise<string[]> {
  let database: DatabaseHandle | undefined;
  try {
    const pglite = await PGlite.create(directory, { loadDataDir: new Blob([new Uint8Array(databaseDump)]) });
    database = wrapPglite(pglite, directory);
    const applied = await migrateToLatest(database.db);
    if (key) await checkMasterKey(database.db, key.key);
    await database.close();
    database = undefined;
    return applied;
  } catch (error) {
    await database?.close().catch(() => undefined);
    fs.rmSync(directory, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackupError(`The restore failed and was undone (${directory} removed): ${reason}`);
  }
}
