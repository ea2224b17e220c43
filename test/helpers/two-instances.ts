import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { buildApp, type BuildAppOptions } from '../../src/http/app.js';
import { createTestApp, type TestApp } from './app.js';
import { testClock } from './clock.js';
import type { Clock } from '../../src/domain/clock.js';
import { TestClient } from './client.js';
import { postgresUrl } from './requirements.js';

export interface SecondInstance {
  app: FastifyInstance;
  client(options?: { userAgent?: string; ip?: string }): TestClient;
  close(): Promise<void>;
}

export interface TwoInstances {
  first: TestApp;
  second: SecondInstance;
  close(): Promise<void>;
}

/**
 * Two server instances on one database, as behind a load balancer. On PostgreSQL the second has a
 * connection pool of its own to the first one's database; PGlite cannot be opened twice, so there both
 * share the one in-process database. Both get the same attempt settings (the same Redis key prefix).
 */
export async function createTwoInstances(
  options: {
    env?: Record<string, string>;
    attempts?: BuildAppOptions['attempts'];
    /** The second instance's clock, when a test moves it apart from the first's (dated rules). */
    secondClock?: Clock;
  } = {},
): Promise<TwoInstances> {
  const attempts = { keyPrefix: `gatehouse-test:${randomBytes(6).toString('hex')}`, ...options.attempts };
  const first = await createTestApp({ env: options.env, attempts, worker: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-app-'));
  const config = loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent', ...options.env });
  const ownDatabase = first.database.kind === 'postgres' ? openSecondPostgresHandle(first.database) : undefined;
  const app = await buildApp({
    config,
    database: ownDatabase ?? first.database,
    masterKey: first.app.masterKey,
    logger: false,
    attempts,
    clock: options.secondClock ?? testClock,
  });
  await app.ready();
  const second: SecondInstance = {
    app,
    client: (clientOptions) => new TestClient(app, clientOptions),
    close: async () => {
      await app.close();
      await ownDatabase?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return {
    first,
    second,
    close: async () => {
      await second.close();
      await first.close();
    },
  };
}

/** A connection pool of its own to a test's PostgreSQL database (as another server process would open). */
export function openSecondPostgresHandle(database: DatabaseHandle): DatabaseHandle {
  const adminUrl = postgresUrl();
  if (!adminUrl) throw new Error('GATEHOUSE_TEST_DATABASE_URL is required for the PostgreSQL project');
  return openPostgres(postgresUrlOf(database), { poolSize: 5 });
}

/** The URL of a test's PostgreSQL database, with the credentials of GATEHOUSE_TEST_DATABASE_URL. */
export function postgresUrlOf(database: DatabaseHandle): string {
  const adminUrl = postgresUrl();
  if (!adminUrl) throw new Error('GATEHOUSE_TEST_DATABASE_URL is required for the PostgreSQL project');
  const url = new URL(adminUrl);
  url.pathname = new URL(database.location).pathname;
  return url.toString();
}
