import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPostgres, wrapPglite, type DatabaseHandle } from '../../src/db/connect.js';
import { postgresUrl } from './requirements.js';

/** Which database this test project runs on: set per Vitest project (see vitest.config.ts). */
export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.GATEHOUSE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

let templateBytes: Uint8Array<ArrayBuffer> | undefined;

/** A fresh, migrated database of its own for one test. Closing it also drops it (PostgreSQL). */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDatabaseKind() === 'pglite') {
    templateBytes ??= new Uint8Array(fs.readFileSync(inject('pgliteTemplate')));
    const pglite = await PGlite.create({ loadDataDir: new Blob([templateBytes]) });
    return wrapPglite(pglite, 'memory');
  }
  const adminUrl = postgresUrl();
  const template = inject('postgresTemplate');
  if (!adminUrl || !template) throw new Error('GATEHOUSE_TEST_DATABASE_URL is required for the PostgreSQL project');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    // Clones can collide when another clone of the same template is starting; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
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
