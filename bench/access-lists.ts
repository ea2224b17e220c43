/**
 * `npm run bench -- --only access-lists`: seeds a fresh PostgreSQL database with a large world (1,000 partners, 50,000 guests,
 * 20,000 accounts, 1,000,000 grants at --scale 1), starts the real server in this process, and measures a
 * guest's account list and a single access check over HTTP (load from a child process) and directly
 * against the database; prints the plans of the list query. See docs/performance.md.
 *
 * Flags (or env): --scale (BENCH_SCALE, default 1), --duration seconds per scenario (BENCH_DURATION, 15),
 * --warmup seconds (BENCH_WARMUP, 3), --concurrency (BENCH_CONCURRENCY, 16), --keep (keep the database),
 * --reuse NAME (measure a database kept by --keep at the same --scale; no seeding, never dropped),
 * --verbose (log server errors), --database-url (GATEHOUSE_BENCH_DATABASE_URL, the admin connection), --out file.json (the figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase, openPostgres } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import type { Database } from '../src/db/schema.js';
import { buildApp } from '../src/http/app.js';
import { randomToken, hashToken } from '../src/crypto/tokens.js';
import { WorkspaceKeyring } from '../src/services/keyring.js';
import { listAccounts } from '../src/services/accounts.js';
import { loadAccount } from '../src/services/account-access.js';
import type { Actor } from '../src/domain/actor.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../src/services/sessions/session-lifetime.js';
import { percentile, type LoadJob, type LoadResult } from './load.js';
import {
  WORKSPACE_ID,
  guestId,
  partnerAccountCount,
  seed,
  sizesForScale,
  type BenchSizes,
  type SeedResult,
} from './seed.js';

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    out: { type: 'string' },
  },
});

const number = (flag: string | undefined, env: string, fallback: number) => {
  const text = flag ?? process.env[env];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${env} / flag must be a positive number, got ${text}`);
  return value;
};

const scale = number(flags.scale, 'BENCH_SCALE', 1);
const durationMs = number(flags.duration, 'BENCH_DURATION', 15) * 1000;
const warmupMs = number(flags.warmup, 'BENCH_WARMUP', 3) * 1000;
const concurrency = Math.round(number(flags.concurrency, 'BENCH_CONCURRENCY', 16));
const adminUrl =
  flags['database-url'] ?? process.env.GATEHOUSE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fixed master key, so a kept database can be measured again (--reuse); it guards only generated data. */
const BENCH_MASTER_KEY = createHash('sha256').update('gatehouse bench master key').digest();

const log = (line = '') => process.stdout.write(`${line}\n`);
const ms = (value: number) => `${value.toFixed(2)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

interface Probe {
  label: string;
  role: 'guest_admin' | 'guest_user';
  actor: Actor;
  cookie: string;
  accounts: string[];
}

interface Scenario {
  name: string;
  http?: LoadResult;
  direct?: LoadResult;
}

/** Closed-loop load on a function in this process (no HTTP): the raw query through the pool. */
async function directLoad(work: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const measureFrom = started + warmupMs;
  const stopAt = measureFrom + durationMs;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const sent = performance.now();
      let failed = false;
      try {
        await work(next++);
      } catch {
        failed = true;
      }
      const done = performance.now();
      if (sent < measureFrom) continue;
      latencies.push(done - sent);
      if (failed) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - measureFrom) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    statuses: {},
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    meanBytes: 0,
  };
}

function httpLoad(job: LoadJob): Promise<LoadResult> {
  const child = fork(new URL('./load.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (result) => {
      child.kill();
      resolve(result as LoadResult);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}

function describe(result: LoadResult): string {
  const failures = result.errors ? `, ${result.errors} non-200 (${JSON.stringify(result.statuses)})` : '';
  // The machine's 1-minute load average at the end: figures taken beside other work are not comparable.
  const load = os.loadavg()[0]!.toFixed(1);
  return (
    `${result.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  p99 ${ms(result.p99)}` +
    `  max ${ms(result.max)}  (${result.requests} requests in ${result.seconds.toFixed(1)} s${failures}; load avg ${load})`
  );
}

/** EXPLAIN (ANALYZE, BUFFERS) of a query the application builds, with its own parameters. */
async function explain(db: Kysely<Database>, compiled: CompiledQuery): Promise<string> {
  const result = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters]),
  );
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}

function planSummary(plan: string): { indexes: string[]; seqScans: string[]; executionMs: number } {
  const indexes = [...new Set([...plan.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\w+)/g)].map((m) => m[1]!))];
  const bitmap = [...plan.matchAll(/Bitmap Index Scan on (\w+)/g)].map((m) => m[1]!);
  const seqScans = [...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!))];
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
  return { indexes: [...new Set([...indexes, ...bitmap])], seqScans, executionMs };
}

async function openSessions(db: Kysely<Database>, userIds: string[]): Promise<string[]> {
  const now = Date.now();
  const tokens = userIds.map(() => randomToken());
  await db
    .insertInto('sessions')
    .values(
      userIds.map((userId, i) => ({
        token_hash: hashToken(tokens[i]!),
        user_id: userId,
        workspace_id: WORKSPACE_ID,
        last_seen_at: new Date(now),
        idle_expires_at: new Date(now + SESSION_IDLE_MS),
        absolute_expires_at: new Date(now + SESSION_ABSOLUTE_MS),
        second_factor_at: new Date(now),
        ip: '127.0.0.1',
        user_agent: 'gatehouse-bench',
      })),
    )
    .execute();
  return tokens;
}

/** Guest admins and guest users of partners spread across the range, so lists vary from tens to hundreds. */
function pickProbes(sizes: BenchSizes, count: number) {
  const picks: Array<{ label: string; role: Probe['role']; userId: string; partner: number }> = [];
  for (let i = 0; i < count; i++) {
    const partner = Math.floor((i * sizes.partners) / count);
    const admin = partner * sizes.guestsPerPartner + (i % sizes.guestAdminsPerPartner);
    const usersPerPartner = sizes.guestsPerPartner - sizes.guestAdminsPerPartner;
    const user = partner * sizes.guestsPerPartner + sizes.guestAdminsPerPartner + ((i * 7) % usersPerPartner);
    picks.push({
      label: `guest${admin} (admin of partner ${partner})`,
      role: 'guest_admin',
      userId: guestId(admin),
      partner,
    });
    picks.push({
      label: `guest${user} (user of partner ${partner})`,
      role: 'guest_user',
      userId: guestId(user),
      partner,
    });
  }
  return picks;
}

async function main(): Promise<void> {
  const sizes = sizesForScale(scale);
  const admin = openPostgres(adminUrl, { poolSize: 1 });
  const databaseName = flags.reuse ?? `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  if (!/^gatehouse_bench_[a-z0-9_]+$/.test(databaseName)) throw new Error('--reuse takes a gatehouse_bench_… name');
  const benchUrl = new URL(adminUrl);
  benchUrl.pathname = `/${databaseName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  log(`Gatehouse bench: scale ${scale}, database ${databaseName}`);
  log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mib(os.totalmem())} RAM, Node ${process.version}`,
  );
  if (!flags.reuse) await sql`CREATE DATABASE ${sql.id(databaseName)}`.execute(admin.db);
  const serverVersion = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`
    .execute(admin.db)
    .then((r) => r.rows[0]!.v);
  log(`PostgreSQL ${serverVersion}`);

  const database = await openDatabase({ databaseUrl: benchUrl.toString(), dataDir });
  const results: {
    scale: number;
    sizes: BenchSizes;
    seed?: SeedResult & { totalMs: number };
    probes?: Array<{ label: string; accounts: number }>;
    scenarios: Scenario[];
    memory?: Record<string, { rss: number; heapUsed: number }>;
    plans?: Record<string, ReturnType<typeof planSummary>>;
  } = { scale, sizes, scenarios: [] };
  try {
    await migrateToLatest(database.db);
    if (!flags.reuse) {
      log('\n== Seeding');
      const seedStarted = performance.now();
      const seeded = await seed(database.db, new WorkspaceKeyring(BENCH_MASTER_KEY), sizes);
      const totalMs = performance.now() - seedStarted;
      results.seed = { ...seeded, totalMs };
      for (const { step, ms: took } of seeded.timings) log(`  ${step.padEnd(48)} ${(took / 1000).toFixed(1)} s`);
      log(`  ${'total'.padEnd(48)} ${(totalMs / 1000).toFixed(1)} s`);
      for (const [what, n] of Object.entries(seeded.counts)) log(`  ${what.padEnd(32)} ${n.toLocaleString('en')}`);
    }
    const masterKey = BENCH_MASTER_KEY;
    const sizeRow = await sql<{ size: string }>`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`
      .execute(database.db)
      .then((r) => r.rows[0]!.size);
    log(`  database size ${sizeRow}`);

    const picks = pickProbes(sizes, 8);
    const tokens = await openSessions(
      database.db,
      picks.map((p) => p.userId),
    );

    const config = loadConfig({
      GATEHOUSE_DATABASE_URL: benchUrl.toString(),
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_LOG_LEVEL: 'silent',
    });
    const app = await buildApp({ config, database, masterKey, logger: flags.verbose ? { level: 'error' } : false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('The server has no TCP address');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const cookieName = config.publicUrl.protocol === 'https:' ? '__Host-gatehouse_session' : 'gatehouse_session';

    try {
      // Each probe's list, once, through the API: proves the gates let them in and gives the accounts to check.
      const probes: Probe[] = [];
      for (const [i, pick] of picks.entries()) {
        const cookie = `${cookieName}=${tokens[i]}`;
        const response = await fetch(`${baseUrl}/api/v1/accounts`, { headers: { cookie } });
        if (response.status !== 200)
          throw new Error(`${pick.label}: GET /accounts answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { accounts: Array<{ id: string }> };
        probes.push({
          label: pick.label,
          role: pick.role,
          actor: { userId: pick.userId, workspaceId: WORKSPACE_ID, role: 'guest', status: 'active' },
          cookie,
          accounts: body.accounts.map((a) => a.id),
        });
        if (pick.role === 'guest_admin' && body.accounts.length < partnerAccountCount(sizes, pick.partner)) {
          throw new Error(`${pick.label} sees ${body.accounts.length} accounts, fewer than the partner's grants`);
        }
      }
      results.probes = probes.map((p) => ({ label: p.label, accounts: p.accounts.length }));
      log('\n== Probe users (their account list sizes)');
      for (const p of probes) log(`  ${p.label.padEnd(42)} ${p.accounts.length} accounts`);
      const admins = probes.filter((p) => p.role === 'guest_admin');
      const users = probes.filter((p) => p.role === 'guest_user');

      const memory: Record<string, { rss: number; heapUsed: number }> = {};
      const snapshot = (label: string) => {
        const { rss, heapUsed } = process.memoryUsage();
        memory[label] = { rss, heapUsed };
      };
      global.gc?.();
      snapshot('server started (before load)');
      let peakRss = 0;
      let peakHeap = 0;
      const sampler = setInterval(() => {
        const { rss, heapUsed } = process.memoryUsage();
        peakRss = Math.max(peakRss, rss);
        peakHeap = Math.max(peakHeap, heapUsed);
      }, 200);

      const checkTargets = (list: Probe[]) =>
        list.flatMap((p) =>
          p.accounts
            .filter((_, i) => i % Math.max(1, Math.floor(p.accounts.length / 5)) === 0)
            .slice(0, 5)
            .map((id) => ({ path: `/api/v1/accounts/${id}`, cookie: p.cookie })),
        );
      const job = (targets: LoadJob['targets']): LoadJob => ({ baseUrl, targets, concurrency, warmupMs, durationMs });

      log(
        `\n== HTTP (load generator: child process, ${concurrency} concurrent keep-alive connections, ${durationMs / 1000} s after ${warmupMs / 1000} s warm-up)`,
      );
      const run = async (name: string, targets: LoadJob['targets']) => {
        const result = await httpLoad(job(targets));
        log(`  ${name.padEnd(44)} ${describe(result)}`);
        results.scenarios.push({ name, http: result });
      };
      await run(
        'GET /accounts, guest admins',
        admins.map((p) => ({ path: '/api/v1/accounts', cookie: p.cookie })),
      );
      await run(
        'GET /accounts, guest users',
        users.map((p) => ({ path: '/api/v1/accounts', cookie: p.cookie })),
      );
      await run('GET /accounts/:id, guest admins', checkTargets(admins));
      await run('GET /accounts/:id, guest users', checkTargets(users));
      clearInterval(sampler);
      snapshot('after HTTP load');
      memory['peak during HTTP load'] = { rss: peakRss, heapUsed: peakHeap };
      results.memory = memory;

      log(`\n== Direct (no HTTP: the service functions through the pool, ${concurrency} concurrent callers)`);
      const direct = async (name: string, work: (i: number) => Promise<unknown>) => {
        const result = await directLoad(work);
        log(`  ${name.padEnd(44)} ${describe(result)}`);
        results.scenarios.push({ name, direct: result });
      };
      const pairs = (list: Probe[]) =>
        list.flatMap((p) => p.accounts.slice(0, 5).map((id) => ({ actor: p.actor, id })));
      const adminPairs = pairs(admins);
      const userPairs = pairs(users);
      await direct('listAccounts, guest admins', (i) => listAccounts(database.db, admins[i % admins.length]!.actor));
      await direct('listAccounts, guest users', (i) => listAccounts(database.db, users[i % users.length]!.actor));
      await direct('loadAccount (access check), guest admins', (i) => {
        const pair = adminPairs[i % adminPairs.length]!;
        return loadAccount(database.db, pair.actor, pair.id);
      });
      await direct('loadAccount (access check), guest users', (i) => {
        const pair = userPairs[i % userPairs.length]!;
        return loadAccount(database.db, pair.actor, pair.id);
      });

      log('\n== Server process memory (this process: server + direct-load callers; the HTTP load runs in a child)');
      for (const [label, m] of Object.entries(memory))
        log(`  ${label.padEnd(32)} rss ${mib(m.rss)}  heapUsed ${mib(m.heapUsed)}`);

      log('\n== Query plans (EXPLAIN ANALYZE, BUFFERS)');
      const biggestAdmin = admins.reduce((a, b) => (b.accounts.length > a.accounts.length ? b : a));
      const biggestUser = users.reduce((a, b) => (b.accounts.length > a.accounts.length ? b : a));
      const plans: Record<string, ReturnType<typeof planSummary>> = {};
      // The application's own queries, captured as they run (no copy of the SQL to drift from the service).
      let captured: CompiledQuery | undefined;
      const capturing = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: database.pool }),
        log: (event) => {
          captured = event.query;
        },
      });
      const show = async (name: string, run: (db: Kysely<Database>) => Promise<unknown>) => {
        await run(capturing);
        const query = captured!;
        await explain(database.db, query); // warm the cache: the figures above are warm too
        const plan = await explain(database.db, query);
        const summary = planSummary(plan);
        plans[name] = summary;
        log(`\n-- ${name}`);
        log(plan);
        log(
          `   indexes used: ${summary.indexes.join(', ') || 'none'}; sequential scans: ${summary.seqScans.join(', ') || 'none'}`,
        );
      };
      await show(`list, ${biggestAdmin.label}, ${biggestAdmin.accounts.length} accounts`, (db) =>
        listAccounts(db, biggestAdmin.actor),
      );
      await show(`list, ${biggestUser.label}, ${biggestUser.accounts.length} accounts`, (db) =>
        listAccounts(db, biggestUser.actor),
      );
      await show(`check, ${biggestAdmin.label}`, (db) =>
        loadAccount(db, biggestAdmin.actor, biggestAdmin.accounts[0]!),
      );
      await show(`check, ${biggestUser.label}`, (db) => loadAccount(db, biggestUser.actor, biggestUser.accounts[0]!));
      results.plans = plans;
      const badScans = Object.entries(plans).filter(([, s]) =>
        s.seqScans.some((t) => ['grants', 'partner_members', 'accounts', 'users'].includes(t)),
      );
      log(
        badScans.length
          ? `\nWARNING: sequential scans on large tables in: ${badScans.map(([n]) => n).join('; ')}` +
              (scale < 0.5 ? '\n(expected at a small --scale: scanning a few hundred rows beats an index)' : '')
          : '\nPlans: every large table is reached through an index.',
      );
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    if (flags.keep || flags.reuse) log(`\nKept database ${databaseName} (${benchUrl.toString()})`);
    else await sql`DROP DATABASE IF EXISTS ${sql.id(databaseName)} WITH (FORCE)`.execute(admin.db);
    await admin.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (flags.out) fs.writeFileSync(flags.out, JSON.stringify(results, null, 2));
  }
}

await main();
