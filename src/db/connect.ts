import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDirectory } from './lock.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the query builder plus what it takes to check and close it. */
export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** The pool under `db`, for libraries that take a pg pool (the attempt counters). */
  readonly pool: pg.Pool;
  readonly kind: DatabaseKind;
  /** Where the data lives, for messages: a directory or a URL without password. */
  readonly location: string;
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
}

export function embeddedDatabaseDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  const directory = embeddedDatabaseDir(options.dataDir);
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDirectory(directory);
  try {
    const pglite = await PGlite.create(directory);
    return wrapPglite(pglite, directory, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

export function openPostgres(databaseUrl: string, poolSize = 10): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(databaseUrl);
  url.password = '';
  return {
    db,
    pool,
    kind: 'postgres',
    location: url.toString(),
    isReachable: () => isReachable(db),
    close: () => db.destroy(),
  };
}

/** Wraps an open PGlite instance (from a directory, memory or a dump) in the same interface. */
export function wrapPglite(pglite: PGlite, location: string, afterClose?: () => void): DatabaseHandle {
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    kind: 'pglite',
    location,
    isReachable: () => isReachable(db),
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        afterClose?.();
      }
    },
  };
}

async function isReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
