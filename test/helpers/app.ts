import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp, type BuildAppOptions } from '../../src/http/app.js';
import { loggerOptions } from '../../src/logger.js';
import type { OutboxWorker, OutboxWorkerTuning } from '../../src/mail/worker.js';
import { createTestDatabase } from './database.js';
import { TestClient } from './client.js';
import { testClock } from './clock.js';

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: Config;
  /** A new client with its own cookie jar, like a separate browser. */
  client(options?: { userAgent?: string; ip?: string }): TestClient;
  /** Base URL when started with `listen: true`. */
  url: string;
  /** The app's mail outbox worker: started unless created with `worker: false` (then call runOnce). */
  worker: OutboxWorker;
  close(): Promise<void>;
}

export interface TestAppOptions {
  listen?: boolean;
  env?: Record<string, string>;
  /** Sets GATEHOUSE_SMTP_URL; without it mail goes to the development outbox. */
  smtpUrl?: string;
  /** Outbox worker tuning, or false to leave it stopped. Default: started, polling every 100 ms. */
  worker?: OutboxWorkerTuning | false;
  /** Brute-force protection policy (e.g. a short lockout) and Redis key prefix. */
  attempts?: BuildAppOptions['attempts'];
  /** Where the app writes its JSON log lines, with the production logger options (default: no logs). */
  logStream?: Writable;
  /** The browser extension's zip to serve (default: the one `npm run build:extension` wrote). */
  extensionZip?: string;
  /** The built web app to serve (default: GATEHOUSE_TEST_WEB_DIST, else the app's web/dist). */
  webDistDir?: string;
}

/** Boots the real application on a database of its own. No part of it is mocked. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-app-'));
  const config = loadConfig({
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_LOG_LEVEL: 'silent',
    ...options.env,
    ...(options.smtpUrl ? { GATEHOUSE_SMTP_URL: options.smtpUrl } : {}),
  });
  const database = await createTestDatabase();
  const app = await buildApp({
    config,
    database,
    masterKey: randomBytes(32),
    logger: options.logStream ? { ...loggerOptions('info'), stream: options.logStream } : false,
    // Lets several people (or agents) build the web app to separate directories and test side by side.
    ...(process.env.GATEHOUSE_TEST_WEB_DIST ? { webDistDir: process.env.GATEHOUSE_TEST_WEB_DIST } : {}),
    ...(options.webDistDir ? { webDistDir: options.webDistDir } : {}),
    mailWorker: { pollIntervalMs: 100, baseDelayMs: 200, ...(options.worker || {}) },
    ...(options.attempts ? { attempts: options.attempts } : {}),
    ...(options.extensionZip ? { extensionZip: options.extensionZip } : {}),
    clock: testClock,
  });
  let url = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  } else {
    await app.ready();
  }
  if (options.worker !== false) app.mail.worker.start();
  return {
    app,
    database,
    config,
    url,
    worker: app.mail.worker,
    client: (clientOptions) => new TestClient(app, clientOptions),
    close: async () => {
      await app.mail.worker.stop();
      await app.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const OWNER = {
  workspaceName: 'Acme Inc',
  slug: 'acme',
  displayName: 'Ada Owner',
  email: 'ada@acme.test',
  password: 'correct horse battery staple',
} as const;

/** Runs first-run set-up through the API and returns the owner's signed-in client. */
export async function setUpWorkspace(testApp: TestApp): Promise<TestClient> {
  const owner = testApp.client();
  const response = await owner.post('/api/v1/setup', OWNER);
  if (response.statusCode !== 201) throw new Error(`set-up failed: ${response.statusCode} ${response.body}`);
  return owner;
}
