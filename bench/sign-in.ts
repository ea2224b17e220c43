/**
 * `npm run bench -- --only sign-in` (issue 15): password sign-ins per second through the real server
 * (HTTP POST /api/v1/auth/sign-in) against raw `argon2.verify` per second with the same parameters, at
 * concurrency 1, 2 and 4, and 8 concurrent sign-ins in one workspace against 8 spread over 8 workspaces.
 * On a fresh PostgreSQL database (attempt counters in the database, then in Redis) and on the embedded
 * database (PGlite in a temporary directory). See docs/performance.md.
 *
 * The two sides of each ratio run alternately (A B, then B A, …) in the same process, and the ratio is the
 * median of the rounds' ratios, so what other work on the machine takes falls on both sides alike.
 *
 * Flags (or env): --duration seconds per measurement (BENCH_DURATION, 3), --rounds (BENCH_ROUNDS, 3),
 * --backends pglite,postgres,postgres+redis (all three), --database-url (GATEHOUSE_BENCH_DATABASE_URL, the
 * admin connection), --redis-url (GATEHOUSE_BENCH_REDIS_URL), --out file.json (the figures).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase, openPostgres } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { buildApp } from '../src/http/app.js';
import { PASSWORD_HASH_OPTIONS } from '../src/crypto/passwords.js';
import { createWorkspace } from '../src/services/workspaces.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    rounds: { type: 'string' },
    backends: { type: 'string' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    out: { type: 'string' },
  },
});

const positive = (flag: string | undefined, env: string, fallback: number) => {
  const text = flag ?? process.env[env];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${env} / flag must be a positive number, got ${text}`);
  return value;
};

const durationMs = positive(flags.duration, 'BENCH_DURATION', 3) * 1000;
const rounds = Math.round(positive(flags.rounds, 'BENCH_ROUNDS', 3));
const adminUrl =
  flags['database-url'] ?? process.env.GATEHOUSE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = flags['redis-url'] ?? process.env.GATEHOUSE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
type Backend = 'pglite' | 'postgres' | 'postgres+redis';
const backends = (flags.backends ?? 'postgres,postgres+redis,pglite').split(',').filter(Boolean) as Backend[];
for (const backend of backends) {
  if (!['pglite', 'postgres', 'postgres+redis'].includes(backend)) throw new Error(`Unknown backend ${backend}`);
}

const BENCH_MASTER_KEY = createHash('sha256').update('gatehouse bench master key').digest();
const PASSWORD = 'bench users long password';
const CONCURRENCIES = [1, 2, 4];

const log = (line = '') => process.stdout.write(`${line}\n`);
const load = () => (os.loadavg()[0] ?? 0).toFixed(2);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Closed loop: `concurrency` workers each start the next operation when the last ends; operations per second. */
async function measure(concurrency: number, operation: (worker: number) => Promise<void>): Promise<number> {
  let done = 0;
  let failures = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  const worker = async (index: number) => {
    while (performance.now() < stopAt) {
      try {
        await operation(index);
        if (performance.now() <= stopAt) done++;
      } catch (error) {
        if (++failures === 1) log(`    (an operation failed: ${(error as Error).message})`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  if (failures > 0) throw new Error(`${failures} operations failed`);
  return done / (durationMs / 1000);
}

/** Alternates A and B (A B, B A, …); the median of the rounds' B/A ratios and the mean rates. */
async function sideBySide(a: () => Promise<number>, b: () => Promise<number>) {
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  const mean = (values: number[]) => values.reduce((x, y) => x + y, 0) / values.length;
  return { a: mean(as), b: mean(bs), ratio: median(bs.map((value, i) => value / as[i]!)), rounds: { as, bs } };
}

/** One browser: a keep-alive connection, its CSRF cookie and token; signs in as it is told. */
class Browser {
  private cookie = '';
  private token = '';
  constructor(
    private readonly baseUrl: string,
    private readonly agent: http.Agent,
  ) {}

  private request(method: string, pathname: string, body?: string) {
    return new Promise<{ status: number; body: string; setCookie: string[] }>((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', cookie: this.cookie };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['x-csrf-token'] = this.token;
      }
      const req = http.request(new URL(pathname, this.baseUrl), { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookie: res.headers['set-cookie'] ?? [],
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async start(): Promise<void> {
    const response = await this.request('GET', '/api/v1/auth/csrf');
    this.token = (JSON.parse(response.body) as { token: string }).token;
    // The CSRF cookie only: the session cookie each sign-in sets is dropped, so no sign-in replaces a session.
    this.cookie = response.setCookie.map((c) => c.split(';')[0]!).join('; ');
  }

  async signIn(workspace: string, username: string): Promise<void> {
    const response = await this.request(
      'POST',
      '/api/v1/auth/sign-in',
      JSON.stringify({ workspace, username, password: PASSWORD }),
    );
    if (response.status !== 200) throw new Error(`sign-in answered ${response.status}: ${response.body}`);
  }
}

interface BackendResult {
  backend: Backend;
  loadBefore: string;
  loadAfter: string;
  concurrency: Array<{ concurrency: number; signInsPerS: number; argon2PerS: number; ratio: number }>;
  workspaces: { oneWorkspacePerS: number; eightWorkspacesPerS: number; ratio: number };
}

async function openBackend(backend: Backend, dataDir: string) {
  if (backend === 'pglite') {
    const database = await openDatabase({ dataDir });
    return { database, databaseUrl: undefined, drop: async () => undefined };
  }
  const admin = openPostgres(adminUrl, { poolSize: 1 });
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir });
  return {
    database,
    databaseUrl: url.toString(),
    drop: async () => {
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin.db);
      await admin.close();
    },
  };
}

async function measureBackend(backend: Backend, hash: string): Promise<BackendResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-sign-in-'));
  const { database, databaseUrl, drop } = await openBackend(backend, dataDir);
  const loadBefore = load();
  try {
    await migrateToLatest(database.db);
    const config = loadConfig({
      ...(databaseUrl ? { GATEHOUSE_DATABASE_URL: databaseUrl } : {}),
      ...(backend === 'postgres+redis' ? { GATEHOUSE_REDIS_URL: redisUrl } : {}),
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_LOG_LEVEL: 'silent',
    });
    const app = await buildApp({
      config,
      database,
      masterKey: BENCH_MASTER_KEY,
      logger: false,
      attempts: { keyPrefix: `gatehouse-bench:${randomBytes(4).toString('hex')}` },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    // As the server does after listen (src/server.ts): activity events are linked into the chain after commit.
    app.activityChainer.start();
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('The server has no TCP address');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    try {
      // Workspace bench0 with 8 users, bench1…bench7 with one each (through the service first-run set-up and
      // the CLI use), every password hashed with the server's parameters.
      const context = { ip: null, userAgent: 'gatehouse-bench' };
      const users: Record<string, string[]> = {};
      for (let w = 0; w < 8; w++) {
        const slug = `bench${w}`;
        await app.unitOfWork.run(async (tx) => {
          const created = await createWorkspace(
            tx,
            {
              slug,
              name: `Bench ${w}`,
              owner: { email: `owner@${slug}.test`, displayName: 'Owner', password: PASSWORD },
            },
            hash,
            context,
          );
          const count = w === 0 ? 8 : 1;
          const names = Array.from({ length: count }, (_, u) => `user${u}@${slug}.test`);
          await tx
            .insertInto('users')
            .values(
              names.map((email) => ({
                workspace_id: created.workspace.id,
                email,
                username: email,
                display_name: email,
                kind: 'member' as const,
                role: 'member' as const,
                status: 'active' as const,
                password_hash: hash,
                updated_at: sql<Date>`now()`,
              })),
            )
            .execute();
          users[slug] = names;
        });
      }
      const browsers = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const browser = new Browser(baseUrl, agent);
          await browser.start();
          return browser;
        }),
      );
      // Warm-up: every user once (also proves each sign-in answers 200).
      for (const [slug, names] of Object.entries(users)) {
        for (const name of names) await browsers[0]!.signIn(slug, name);
      }

      log(`\n-- ${backend} (load ${loadBefore} at start)`);
      log('   concurrency   sign-ins/s   argon2.verify/s   ratio (median of rounds)');
      const concurrency: BackendResult['concurrency'] = [];
      for (const c of CONCURRENCIES) {
        // Worker i signs in as user i of workspace bench0: no two workers share a user.
        const result = await sideBySide(
          () => measure(c, () => argon2.verify(hash, PASSWORD).then(() => undefined)),
          () => measure(c, (i) => browsers[i]!.signIn('bench0', users.bench0![i]!)),
        );
        concurrency.push({ concurrency: c, signInsPerS: result.b, argon2PerS: result.a, ratio: result.ratio });
        log(
          `   ${String(c).padStart(11)}   ${result.b.toFixed(1).padStart(10)}   ${result.a.toFixed(1).padStart(15)}   ${result.ratio.toFixed(2)}`,
        );
      }
      const spread = await sideBySide(
        () => measure(8, (i) => browsers[i]!.signIn(`bench${i}`, users[`bench${i}`]![0]!)),
        () => measure(8, (i) => browsers[i]!.signIn('bench0', users.bench0![i]!)),
      );
      log(
        `   8 concurrent sign-ins: one workspace ${spread.b.toFixed(1)}/s, 8 workspaces ${spread.a.toFixed(1)}/s, ratio ${spread.ratio.toFixed(2)}`,
      );
      const loadAfter = load();
      log(`   (load ${loadAfter} at end)`);
      return {
        backend,
        loadBefore,
        loadAfter,
        concurrency,
        workspaces: { oneWorkspacePerS: spread.b, eightWorkspacesPerS: spread.a, ratio: spread.ratio },
      };
    } finally {
      agent.destroy();
      await app.close();
    }
  } finally {
    await database.close();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log(
    `Sign-in bench: ${rounds} alternating rounds of ${durationMs / 1000} s per figure; argon2id m=${PASSWORD_HASH_OPTIONS.memoryCost} t=${PASSWORD_HASH_OPTIONS.timeCost} p=${PASSWORD_HASH_OPTIONS.parallelism}; UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${load()}`);
  const hash = await argon2.hash(PASSWORD, PASSWORD_HASH_OPTIONS);
  const results: BackendResult[] = [];
  for (const backend of backends) results.push(await measureBackend(backend, hash));
  log('\n== Goals (issue 15): sign-ins/s ÷ argon2.verify/s ≥ 0.9; one workspace ÷ 8 workspaces ≥ 0.9');
  for (const result of results) {
    const worst = Math.min(...result.concurrency.map((c) => c.ratio));
    log(
      `   ${result.backend.padEnd(15)} worst sign-in ratio ${worst.toFixed(2)} ${worst >= 0.9 ? 'met' : 'NOT met'}; ` +
        `workspaces ratio ${result.workspaces.ratio.toFixed(2)} ${result.workspaces.ratio >= 0.9 ? 'met' : 'NOT met'}`,
    );
  }
  if (flags.out) fs.writeFileSync(flags.out, JSON.stringify(results, null, 2));
}

await main();
