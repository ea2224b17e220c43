import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPostgres, wrapPglite, type DatabaseHandle } from '../../src/db/connect.js';
import { postgresUrl } from './requirements.js';
import { waitFor } from './wait.js';

/** Which database this test project runs on: set per Vitest project (see vitest.config.ts). */
export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.GATEHOUSE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

let templateBytes: Uint8Array<ArrayBuffer> | undefined;

/**
 * PGlite instances a closed test database handed back, emptied, for the next test of this file. Loading
 * the migrated template into a new instance takes over a second of CPU; emptying every table takes a few
 * milliseconds, and leaves the same state: migrations create tables and insert nothing.
 */
const idlePglites: PGlite[] = [];
let applicationTables: string[] | undefined;

/** A fresh, migrated database of its own for one test. Closing it also drops it (PostgreSQL). */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDatabaseKind() === 'pglite') {
    let pglite = idlePglites.pop();
    if (!pglite) {
      templateBytes ??= new Uint8Array(fs.readFileSync(inject('pgliteTemplate')));
      pglite = await PGlite.create({ loadDataDir: new Blob([templateBytes]) });
    }
    const instance = pglite;
    return wrapPglite(instance, 'memory', {
      keepOpen: true,
      afterClose: () => emptyAndPark(instance),
    });
  }
  const adminUrl = postgresUrl();
  const template = inject('postgresTemplate');
  if (!adminUrl || !template) throw new Error('GATEHOUSE_TEST_DATABASE_URL is required for the PostgreSQL project');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  // Clones collide while another clone of the same template is starting: try again until it is free.
  await withAdmin(adminUrl, (admin) =>
    waitFor(
      async () => {
        try {
          await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
          return true;
        } catch (error) {
          if (!/being accessed by other users/.test((error as Error).message)) throw error;
          return false;
        }
      },
      `the template database ${template} to be free to clone`,
      10_000,
      100,
    ),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { poolSize: 5 });
  return {
    ...handle,
    isReachable: () => handle.isReachable(),
    close: async () => {
      await handle.close();
      await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Ends whatever the last test left in the session, empties every table, and parks the instance. */
async function emptyAndPark(pglite: PGlite): Promise<void> {
  try {
    await pglite.exec('ROLLBACK');
    // Prepared statements (the attempt counters name theirs), advisory locks, settings, temporary tables.
    await pglite.exec('DISCARD ALL');
    applicationTables ??= (
      await pglite.query<{ name: string }>(
        `SELECT quote_ident(tablename) AS name FROM pg_tables
          WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_migration%'`,
      )
    ).rows.map((row) => row.name);
    await pglite.exec(`TRUNCATE ${applicationTables.join(', ')} RESTART IDENTITY CASCADE`);
    idlePglites.push(pglite);
  } catch {
    // Not reusable (closed by the test, or broken): the next test loads a new one.
    await pglite.close().catch(() => undefined);
  }
}
