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
  /** Told when a PostgreSQL connection dies (the pool replaces it); for a log line. */
  onConnectionLost?: (error: Error) => void;
}

export function embeddedDatabaseDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

/**
 * PostgreSQL's shared buffers inside the embedded database. PGlite's WebAssembly build allocates its
 * whole shared memory segment up front and fills it with zeros, so every megabyte of it stays resident
 * for the life of the process (WebAssembly memory never shrinks). PostgreSQL's default of 128 MB made a
 * 145 MB segment; 32 MB makes it 42 MB and the idle server about 100 MiB smaller (docs/performance.md,
 * "Idle memory"). A small install's tables and indexes fit in 32 MB; beyond that a page is read from the
 * data directory, which the operating system caches. Installs that outgrow this belong on PostgreSQL.
 */
export const EMBEDDED_SHARED_BUFFERS = '32MB';
const EMBEDDED_START_PARAMS = [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, { onConnectionLost: options.onConnectionLost });
  const directory = embeddedDatabaseDir(options.dataDir);
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDirectory(directory);
  try {
    const pglite = await PGlite.create(directory, { startParams: EMBEDDED_START_PARAMS });
    return wrapPglite(pglite, directory, { afterClose: () => lock.release() });
  } catch (error) {
    lock.release();
    throw error;
  }
}

export interface PostgresPoolOptions {
  poolSize?: number;
  onConnectionLost?: (error: Error) => void;
}

/** How long a request waits for a connection before it fails with 503 rather than hanging. */
const CONNECT_TIMEOUT_MS = 5_000;

export function openPostgres(databaseUrl: string, options: PostgresPoolOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Notices a peer that vanished without closing the connection (a failover, a cut network).
    keepAlive: true,
  });
  const connectionLost = (error: Error) => options.onConnectionLost?.(error);
  // The pool listens for errors only on idle clients. A client checked out by a request or a
  // transaction also emits 'error' when its server process is terminated; with no listener that event
  // would end the process. The request's own query fails and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', connectionLost));
  pool.on('error', connectionLost);
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

export interface WrapPgliteOptions {
  /** Runs once the handle is closed (releases the data directory's lock). */
  afterClose?: () => void | Promise<void>;
  /** Leaves the PGlite instance open on close, for an owner that reuses it (the test suite's pool). */
  keepOpen?: boolean;
}

/** Wraps an open PGlite instance (from a directory, memory or a dump) in the same interface. */
export function wrapPglite(pglite: PGlite, location: string, options: WrapPgliteOptions = {}): DatabaseHandle {
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
        if (!options.keepOpen) await pglite.close();
      } finally {
        await options.afterClose?.();
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
