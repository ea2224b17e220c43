import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { buildApp } from '../../src/http/app.js';
import { TestClient } from '../helpers/client.js';
import { startPrivatePostgres } from '../helpers/private-postgres.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { testDatabaseKind } from '../helpers/database.js';
import { me } from '../helpers/partners.js';
import { postgresUrl } from '../helpers/requirements.js';
import { waitFor } from '../helpers/wait.js';

/**
 * SPEC §10: a PostgreSQL connection that dies mid-request fails that request with a 503 problem, the
 * pool replaces it and the process lives on. Connections are killed the way an operator (or a failover)
 * kills them: pg_terminate_backend from another session, while requests are in flight.
 */
describe.runIf(testDatabaseKind() === 'postgres')('database faults on PostgreSQL', () => {
  let t: TestApp;
  let owner: TestClient;
  let databaseName: string;
  let ownerId: string;

  beforeEach(async () => {
    t = await createTestApp();
    owner = await setUpWorkspace(t);
    ownerId = (await me(owner)).user.id;
    const row = await t.database.pool.query<{ name: string }>('SELECT current_database() AS name');
    databaseName = row.rows[0]!.name;
  });
  afterEach(async () => {
    await t.close();
  });

  /** Ends every connection of the app's database, from a session of its own. */
  async function terminateConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    try {
      const result = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [databaseName],
      );
      return result.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  /** One acknowledged write a person would notice: a partner with its first guest admin invited. */
  function addPartner(index: number) {
    return owner.post('/api/v1/partners', {
      name: `Agency ${index}`,
      guestAdminEmail: `guest${index}@agency${index}.test`,
      hostAdminIds: [ownerId],
    });
  }

  it('fails only the requests whose connection died, with 503 problems, and loses no acknowledged write', async () => {
    const unexpectedProcessErrors: unknown[] = [];
    const record = (error: unknown) => unexpectedProcessErrors.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      const responses: Array<{ index: number; status: number; type?: string; retryAfter?: string }> = [];
      let next = 0;
      let stop = false;
      // Four clients writing back to back, as busy people would.
      const writers = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const index = next++;
          const response = await addPartner(index);
          responses.push({
            index,
            status: response.statusCode,
            type: response.statusCode >= 400 ? (response.json() as { type: string }).type : undefined,
            retryAfter: response.headers['retry-after'] as string | undefined,
          });
          if (response.statusCode >= 500) {
            expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          }
        }
      });
      let terminated = 0;
      const refusedCount = () => responses.filter((r) => r.status === 503).length;
      // Pull the rug while requests hold connections, until some request has really lost its own (a kill
      // between two requests only costs idle connections), and at least three times.
      for (let round = 0; round < 30 && (round < 3 || refusedCount() === 0); round++) {
        const before = responses.length;
        while (responses.length < before + 2) await new Promise((resolve) => setImmediate(resolve));
        terminated += await terminateConnections();
      }
      stop = true;
      await Promise.all(writers);

      expect(terminated).toBeGreaterThan(0);
      expect(refusedCount()).toBeGreaterThan(0);
      expect(unexpectedProcessErrors).toEqual([]);
      const failures = responses.filter((r) => r.status !== 201);
      for (const failure of failures) {
        expect(failure, JSON.stringify(failure)).toMatchObject({
          status: 503,
          type: '/api/problems/database-unavailable',
          retryAfter: expect.stringMatching(/^\d+$/),
        });
      }

      // The pool has replaced the dead connections: the next requests simply work.
      const after = await addPartner(10_000);
      expect(after.statusCode, after.body).toBe(201);
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);

      // Every write that was acknowledged is there, every refused one left nothing half-done.
      const list = await owner.get('/api/v1/partners');
      expect(list.statusCode).toBe(200);
      const names = new Set((list.json() as { partners: Array<{ name: string }> }).partners.map((p) => p.name));
      for (const response of responses) {
        if (response.status === 201) expect(names.has(`Agency ${response.index}`)).toBe(true);
      }
      const refused = responses.filter((r) => r.status !== 201).map((r) => `guest${r.index}@agency${r.index}.test`);
      if (refused.length > 0) {
        const orphans = await t.database.pool.query(
          `SELECT email FROM users WHERE email = ANY($1::text[])
           UNION ALL SELECT recipient FROM outbox WHERE recipient = ANY($1::text[])`,
          [refused],
        );
        // A refused partner may only exist if its transaction had committed before the connection died
        // (the response was lost, not the write); then it must be whole: listed, with its guest and mail.
        for (const row of orphans.rows as Array<{ email: string }>) {
          const index = Number(/^guest(\d+)@/.exec(row.email)![1]);
          expect(names.has(`Agency ${index}`), `half-applied write for ${row.email}`).toBe(true);
        }
      }
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
  });

  it('answers 503 with Retry-After while the database refuses connections, and recovers when it is back', async () => {
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${databaseName}" WITH ALLOW_CONNECTIONS false`);
      await terminateConnections();

      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      const refused = await owner.get('/api/v1/partners');
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.json()).toMatchObject({ type: '/api/problems/database-unavailable', status: 503 });
      const healthy = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(healthy.statusCode).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE "${databaseName}" WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    const list = await owner.get('/api/v1/partners');
    expect(list.statusCode, list.body).toBe(200);

    // The mail worker failed its polls during the outage and carries on by itself: new mail goes out.
    expect(t.worker.isRunning).toBe(true);
    const created = await addPartner(1);
    expect(created.statusCode, created.body).toBe(201);
    await waitFor(async () => {
      const row = await t.database.pool.query<{ state: string }>('SELECT state FROM outbox WHERE recipient = $1', [
        'guest1@agency1.test',
      ]);
      return row.rows[0]?.state === 'sent';
    }, 'the invitation mail to be sent after the outage');
  });
});

describe.runIf(testDatabaseKind() === 'postgres')('a PostgreSQL restart', () => {
  it('is picked up without restarting Gatehouse: 503 and not ready while it is down, serving again after', async () => {
    const postgres = await startPrivatePostgres();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-app-'));
    const database = openPostgres(postgres.url, { poolSize: 4 });
    try {
      await migrateToLatest(database.db);
      const config = loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent' });
      const app = await buildApp({ config, database, masterKey: randomBytes(32), logger: false });
      await app.ready();
      try {
        const owner = new TestClient(app);
        expect((await owner.post('/api/v1/setup', OWNER)).statusCode).toBe(201);
        expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);

        await postgres.stop();
        expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
        const down = await owner.get('/api/v1/auth/session');
        expect(down.statusCode).toBe(503);
        expect(down.headers['retry-after']).toMatch(/^\d+$/);
        expect(down.json()).toMatchObject({ type: '/api/problems/database-unavailable' });

        await postgres.start();
        expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
        // The session survived (it lives in the database), and new sign-ins work.
        expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
        const again = new TestClient(app);
        const signIn = await again.post('/api/v1/auth/sign-in', {
          workspace: OWNER.slug,
          username: OWNER.email,
          password: OWNER.password,
        });
        expect(signIn.statusCode, signIn.body).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
      await postgres.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
