import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPostgres, wrapPglite } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { chromiumAvailable, isRequired, postgresUrl, redisUrl } from './requirements.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

interface Templates {
  pgliteTemplate: string;
  postgresTemplate: string | null;
  notices: string[];
  cleanUp(): Promise<void>;
}

/** Shared by every project of one run: the root config and each project run their global set-up. */
const shared = Symbol.for('gatehouse.test.templates');
type SharedState = { [shared]?: { templates: Promise<Templates>; users: number } };

/**
 * Builds migrated template databases once per run (not once per project): a PGlite data-directory dump
 * that each test loads into memory, and a PostgreSQL template database each test clones with CREATE
 * DATABASE … TEMPLATE. The last project to finish drops them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = globalThis as SharedState;
  const entry = (state[shared] ??= { templates: buildTemplates(), users: 0 });
  entry.users += 1;
  const templates = await entry.templates;
  project.provide('pgliteTemplate', templates.pgliteTemplate);
  project.provide('postgresTemplate', templates.postgresTemplate);
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    delete state[shared];
    await templates.cleanUp();
    for (const notice of templates.notices) console.warn(`[gatehouse tests] ${notice}`);
  };
}

async function buildTemplates(): Promise<Templates> {
  const notices: string[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));

  const pglite = await PGlite.create();
  const handle = wrapPglite(pglite, 'memory');
  await migrateToLatest(handle.db);
  const dump = await pglite.dumpDataDir('none');
  const templateFile = path.join(workDir, 'pglite-template.tar');
  fs.writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
  await handle.close();

  const adminUrl = postgresUrl();
  let postgresTemplate: string | null = null;
  if (adminUrl) {
    postgresTemplate = `gatehouse_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${postgresTemplate}`);
      await admin.query(`CREATE DATABASE ${postgresTemplate}`);
    } finally {
      await admin.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${postgresTemplate}`;
    const template = openPostgres(url.toString(), { poolSize: 1 });
    await migrateToLatest(template.db);
    await template.close();
  } else if (isRequired('postgres')) {
    throw new Error('PostgreSQL tests are required here but GATEHOUSE_TEST_DATABASE_URL is not set.');
  } else {
    notices.push(
      'PostgreSQL: skipped (set GATEHOUSE_TEST_DATABASE_URL=postgres://… to run the integration suite on PostgreSQL too)',
    );
  }

  if (!redisUrl()) {
    if (isRequired('redis')) {
      throw new Error('Redis tests are required here but GATEHOUSE_TEST_REDIS_URL is not set.');
    }
    notices.push(
      'Redis: skipped (set GATEHOUSE_TEST_REDIS_URL=redis://… to run the attempt-counter tests on Redis too)',
    );
  }

  if (!chromiumAvailable()) {
    if (isRequired('browser'))
      throw new Error(
        'Browser tests are required here but /usr/bin/chromium is missing (apt-get install -y chromium).',
      );
    notices.push('Browser tests: skipped (no /usr/bin/chromium; install it with apt-get install -y chromium)');
  }
  for (const notice of notices) console.warn(`[gatehouse tests] ${notice}`);

  return {
    pgliteTemplate: templateFile,
    postgresTemplate,
    notices,
    cleanUp: async () => {
      if (adminUrl && postgresTemplate) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${postgresTemplate}`).catch(() => undefined);
        await admin.end();
      }
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
