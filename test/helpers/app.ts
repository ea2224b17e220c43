import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { createTestDatabase } from './database.js';
import { TestClient } from './client.js';

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: Config;
  /** A new client with its own cookie jar, like a separate browser. */
  client(options?: { userAgent?: string; ip?: string }): TestClient;
  /** Base URL when started with `listen: true`. */
  url: string;
  close(): Promise<void>;
}

/** Boots the real application on a database of its own. No part of it is mocked. */
export async function createTestApp(options: { listen?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-app-'));
  const config = loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent', ...options.env });
  const database = await createTestDatabase();
  const app = await buildApp({ config, database, logger: false });
  let url = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  } else {
    await app.ready();
  }
  return {
    app,
    database,
    config,
    url,
    client: (clientOptions) => new TestClient(app, clientOptions),
    close: async () => {
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
