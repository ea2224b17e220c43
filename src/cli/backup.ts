import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { embeddedDatabaseDir, wrapPglite, type DatabaseHandle } from '../db/connect.js';
import { DataDirLockedError, lockDirectory } from '../db/lock.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  BackupError,
  DATABASE_MEMBER,
  gatehouseVersion,
  sha256,
  writeArchive,
  writeFileAtomically,
  type BackupManifest,
} from './backup-archive.js';
import { parseCommandArgs, UsageError } from './usage-error.js';

/**
 * `gatehouse backup --out FILE [--force]`: a consistent archive of the embedded database. PGlite serves
 * one process, so the command opens the database itself (taking the data directory's lock) and refuses
 * while a server holds it: a copy of a live PGlite directory's files would not be consistent.
 */
export async function backupCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(() =>
    parseArgs({
      args: argv,
      options: { out: { type: 'string' }, force: { type: 'boolean', default: false } },
      strict: true,
    }),
  );
  if (!values.out) throw new UsageError('backup needs --out FILE, the archive to write.');
  if (config.databaseUrl) {
    throw new BackupError(
      'GATEHOUSE_DATABASE_URL is set: `gatehouse backup` is for the embedded database only. Back up PostgreSQL ' +
        'with pg_dump -Fc (and restore with pg_restore); see "Back up and restore" in the README.',
    );
  }
  const out = path.resolve(values.out);
  if (!values.force && fs.existsSync(out)) {
    throw new BackupError(`${out} already exists; choose another file, or add --force to replace it.`);
  }
  if (!fs.existsSync(path.dirname(out))) throw new BackupError(`The directory ${path.dirname(out)} does not exist.`);

  const directory = embeddedDatabaseDir(config.dataDir);
  if (!fs.existsSync(path.join(directory, 'PG_VERSION'))) {
    throw new BackupError(`There is no embedded database in ${directory} to back up (check GATEHOUSE_DATA_DIR).`);
  }
  const { manifest, databaseDump } = await dumpEmbeddedDatabase(directory);

  try {
    writeFileAtomically(out, writeArchive(manifest, databaseDump), values.force);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(`${out} was created meanwhile; choose another file, or add --force to replace it.`);
    }
    throw error;
  }
  const keys = manifest.masterKeyIds;
  console.log(
    `Backed up ${manifest.workspaces} workspace(s) at migration ${manifest.migrations.at(-1) ?? '(none)'} to ${out} ` +
      `(${(fs.statSync(out).size / 1024 / 1024).toFixed(1)} MB).`,
  );
  console.log(
    keys.length === 0
      ? 'The backup holds no data keys yet; any master key can restore it.'
      : `Restoring it needs the master key with id ${keys.join(' or ')}: keep that key with the backup, stored ` +
          'separately and safely. Without it the backup restores nothing readable.',
  );
  return 0;
}

async function dumpEmbeddedDatabase(directory: string): Promise<{ manifest: BackupManifest; databaseDump: Buffer }> {
  let lock;
  try {
    lock = lockDirectory(directory);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new BackupError(
      `A Gatehouse process (pid ${error.holderPid}: the server, or another command) holds the embedded database ` +
        `at ${directory}; stop it, then run gatehouse backup again. A running embedded database cannot be copied ` +
        'consistently from outside its process.',
    );
  }
  let database: DatabaseHandle | undefined;
  try {
    const pglite = await PGlite.create(directory);
    database = wrapPglite(pglite, directory);
    const details = await describeDatabase(database);
    // Flushes everything to the data files, so the archive needs no crash recovery when it is loaded.
    await pglite.exec('CHECKPOINT');
    const databaseDump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    const manifest: BackupManifest = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      gatehouseVersion: gatehouseVersion(),
      createdAt: new Date().toISOString(),
      database: {
        kind: 'pglite',
        postgresVersion: details.postgresVersion,
        member: DATABASE_MEMBER,
        bytes: databaseDump.length,
        sha256: sha256(databaseDump),
      },
      migrations: details.migrations,
      masterKeyIds: details.masterKeyIds,
      workspaces: details.workspaces,
      dataKeys: details.dataKeys,
    };
    return { manifest, databaseDump };
  } finally {
    try {
      await database?.close();
    } finally {
      lock.release();
    }
  }
}

async function describeDatabase(database: DatabaseHandle) {
  const db = database.db;
  const version = await sql<{ server_version: string }>`SHOW server_version`.execute(db);
  const migrationTable = await sql<{ present: boolean }>`
    SELECT to_regclass('gatehouse_migrations') IS NOT NULL AS present`.execute(db);
  if (!migrationTable.rows[0]?.present) {
    throw new BackupError(
      `The embedded database at ${database.location} has no Gatehouse tables yet (run gatehouse migrate or serve first).`,
    );
  }
  const migrations = await sql<{ name: string }>`SELECT name FROM gatehouse_migrations ORDER BY name`.execute(db);
  const wraps = await db.selectFrom('workspace_key_wraps').select('master_key_id').distinct().execute();
  const counts = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('workspaces').select(eb.fn.countAll<string>().as('n')).as('workspaces'),
      eb.selectFrom('workspace_keys').select(eb.fn.countAll<string>().as('n')).as('data_keys'),
    ])
    .executeTakeFirstOrThrow();
  return {
    postgresVersion: version.rows[0]?.server_version ?? 'unknown',
    migrations: migrations.rows.map((row) => row.name),
    masterKeyIds: wraps.map((wrap) => wrap.master_key_id).sort(),
    workspaces: Number(counts.workspaces),
    dataKeys: Number(counts.data_keys),
  };
}
