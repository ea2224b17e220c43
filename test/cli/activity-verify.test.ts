import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import type { Database } from '../../src/db/schema.js';
import type { Kysely } from 'kysely';
import { buildApp } from '../../src/http/app.js';
import { chainPendingEvents } from '../../src/services/activity-chain.js';
import { OWNER } from '../helpers/app.js';
import { runGatehouse } from '../helpers/cli.js';
import { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';

/**
 * `gatehouse activity verify` as an operator runs it, on the embedded database while the server is
 * stopped: it passes on an untouched log, names the event an attacker with database access edited, and
 * with the head an earlier run printed (`--expect-head`), detects a log cut back.
 */

const MASTER_KEY = randomBytes(32).toString('base64');

describe('gatehouse activity verify', () => {
  let dataDir: string;
  const env = () => ({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_MASTER_KEY: MASTER_KEY });
  const verify = (...args: string[]) => runGatehouse(['activity', 'verify', ...args], env());

  /** The database as an attacker with write access has it (the append-only trigger switched off). */
  async function tamper(work: (db: Kysely<Database>) => Promise<unknown>): Promise<void> {
    const database = await openDatabase({ dataDir });
    try {
      await sql`ALTER TABLE activity_events DISABLE TRIGGER activity_events_no_update_or_delete`.execute(database.db);
      await work(database.db);
      await sql`ALTER TABLE activity_events ENABLE TRIGGER activity_events_no_update_or_delete`.execute(database.db);
    } finally {
      await database.close();
    }
  }

  async function events(): Promise<{ seq: string; id: string; action: string }[]> {
    const database = await openDatabase({ dataDir });
    try {
      return await database.db.selectFrom('activity_events').select(['seq', 'id', 'action']).orderBy('seq').execute();
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-activity-'));
    const database = await openDatabase({ dataDir });
    try {
      await migrateToLatest(database.db);
      const config = loadConfig({ ...env(), GATEHOUSE_LOG_LEVEL: 'silent' });
      const app = await buildApp({
        config,
        database,
        masterKey: Buffer.from(MASTER_KEY, 'base64'),
        logger: false,
        clock: testClock,
      });
      await app.ready();
      try {
        const owner = new TestClient(app);
        expect((await owner.post('/api/v1/setup', OWNER)).statusCode).toBe(201);
        for (const password of ['not the password', OWNER.password]) {
          await new TestClient(app).post('/api/v1/auth/sign-in', {
            workspace: OWNER.slug,
            username: OWNER.email,
            password,
          });
        }
        // Most events linked, as a running server would have them; the last sign-in's still pending.
        await chainPendingEvents(app.unitOfWork, app.keyring);
        await new TestClient(app).post('/api/v1/auth/sign-in', {
          workspace: OWNER.slug,
          username: OWNER.email,
          password: OWNER.password,
        });
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let head = '';

  it('passes on an untouched log and prints the head to keep', () => {
    const result = verify();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acme: the activity log verifies: \d+ event\(s\) linked, 1 awaiting linking/);
    head = /head \(keep it to check later with --expect-head\): (\d+:[0-9a-f]{64})/.exec(result.stdout)![1]!;
    expect(verify('--workspace', 'acme', '--expect-head', head).code).toBe(0);
  });

  it('detects a log cut back before the head an earlier run printed', async () => {
    const [position] = head.split(':');
    await tamper((db) => db.deleteFrom('activity_events').where('chain_position', '=', position!).execute());
    // Without the kept head, a log that lost its newest linked event still looks whole…
    expect(verify().code).toBe(0);
    // …with it, not.
    const result = verify('--workspace', 'acme', '--expect-head', head);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`The chain no longer reaches position ${position}`);
  });

  it('exits 1 naming the event that was edited', async () => {
    const failed = (await events()).find((event) => event.action === 'auth.sign_in_failed')!;
    await tamper((db) =>
      db.updateTable('activity_events').set({ ip: '198.51.100.7' }).where('seq', '=', failed.seq).execute(),
    );
    const result = verify('--workspace', 'acme');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('acme: the activity log does NOT verify.');
    expect(result.stdout).toContain(`event ${failed.id} (auth.sign_in_failed at`);
    expect(result.stdout).toContain('was edited');
  });

  it('says how to use it', () => {
    const result = verify('--expect-head', 'not-a-head');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--expect-head');
  });
});
