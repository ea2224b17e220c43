/**
 * `npm run bench -- --only activity-chain`: the activity log's chain at size. Fills a fresh database with
 * --events events (default 100,000) exactly as `recordEvent` writes them (each with its MAC), then
 * measures the chaining step linking all of them and `verifyActivityChain` walking them, on PostgreSQL
 * (a database created for the run and dropped after) and on the embedded database; then the Activity
 * page's first page (p50/p95 of --page-runs queries) for an admin with and without filters and for a
 * member's scope. `--events 1000000 --databases postgres` gives the page's figure at a million events.
 *
 * Flags: --events N, --database-url URL (GATEHOUSE_BENCH_DATABASE_URL, the admin connection),
 * --databases postgres,pglite (which to measure), --page-runs N, --skip-verify (the page figures only).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase, openPostgres, type DatabaseHandle } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createUnitOfWork } from '../src/db/unit-of-work.js';
import { eventMac, type RecordedFields } from '../src/services/activity.js';
import { chainPendingEvents, verifyActivityChain } from '../src/services/activity-chain.js';
import { queryActivity, type ActivityFilters } from '../src/services/activity-log.js';
import type { Actor } from '../src/domain/actor.js';
import { WorkspaceKeyring } from '../src/services/keyring.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    'database-url': { type: 'string' },
    databases: { type: 'string', default: 'postgres,pglite' },
    'page-runs': { type: 'string', default: '100' },
    'skip-verify': { type: 'boolean', default: false },
  },
});
const eventCount = Number(flags.events);
const pageRuns = Number(flags['page-runs']);
if (!Number.isInteger(eventCount) || eventCount <= 0) throw new Error('--events must be a positive integer');
const adminUrl =
  flags['database-url'] ?? process.env.GATEHOUSE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line = '') => process.stdout.write(`${line}\n`);
const load = () => os.loadavg()[0]!.toFixed(2);
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')} events/s`;

const PARTNERS = Array.from({ length: 50 }, () => randomUUID());
const ACCOUNTS = Array.from({ length: 500 }, () => randomUUID());
const ACTIONS = [
  'auth.signed_in',
  'auth.sign_in_failed',
  'auth.signed_out',
  'account.viewed',
  'partner.account_shared',
];

async function fill(database: DatabaseHandle, keyring: WorkspaceKeyring, workspaceId: string): Promise<void> {
  const { id: keyId, key } = await keyring.activityKey(database.db, workspaceId);
  const batch = 5000;
  const start = Date.now();
  for (let done = 0; done < eventCount; done += batch) {
    const rows: RecordedFields[] = [];
    for (let i = done; i < Math.min(eventCount, done + batch); i += 1) {
      rows.push({
        id: randomUUID(),
        workspaceId,
        occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        actorId: null,
        action: ACTIONS[i % ACTIONS.length]!,
        targetType: 'user',
        targetId: randomUUID(),
        ip: `198.51.100.${i % 250}`,
        userAgent: 'Mozilla/5.0 (bench)',
        details: { n: i, reason: i % 7 === 0 ? 'wrong password' : undefined },
        partnerId: i % 5 === 4 ? PARTNERS[i % PARTNERS.length]! : null,
        accountId: i % 5 >= 3 ? ACCOUNTS[i % ACCOUNTS.length]! : null,
      });
    }
    await sql`
      INSERT INTO activity_events
        (id, workspace_id, occurred_at, actor_id, action, target_type, target_id, ip, user_agent, details,
         partner_id, account_id, mac, key_id)
      SELECT v.id, ${workspaceId}, v.occurred_at, NULL, v.action, 'user', v.target_id, v.ip, v.user_agent, v.details,
             v.partner_id, v.account_id, v.mac, ${keyId}
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.occurredAt)}::timestamptz[],
                    ${rows.map((r) => r.action)}::text[], ${rows.map((r) => r.targetId!)}::uuid[],
                    ${rows.map((r) => r.ip!)}::text[], ${rows.map((r) => r.userAgent!)}::text[],
                    ${rows.map((r) => JSON.stringify(r.details))}::jsonb[], ${rows.map((r) => r.partnerId)}::uuid[],
                    ${rows.map((r) => r.accountId)}::uuid[], ${rows.map((r) => eventMac(key, r))}::text[])
             AS v(id, occurred_at, action, target_id, ip, user_agent, details, partner_id, account_id, mac)`.execute(
      database.db,
    );
  }
  log(
    `  filled ${eventCount.toLocaleString('en')} events with their MACs in ${((Date.now() - start) / 1000).toFixed(1)} s`,
  );
}

/**
 * A member with something to see: owner of two accounts and host admin of one partner (each with events
 * in the log) with three guests (none of whom acted: their branches are empty). Returns their id.
 */
async function hostWithGuests(db: DatabaseHandle['db'], workspaceId: string): Promise<string> {
  const person = async (kind: 'member' | 'guest', name: string) => {
    const row = await sql<{ id: string }>`
      INSERT INTO users (workspace_id, email, username, display_name, kind, role, status)
      VALUES (${workspaceId}, ${`${name}@bench.test`}, ${name}, ${name}, ${kind}, ${kind}, 'active') RETURNING id`.execute(
      db,
    );
    return row.rows[0]!.id;
  };
  const hostId = await person('member', 'host');
  const partnerId = PARTNERS[9]!; // its events are every 50th (i % 50 === 9, partner on i % 5 === 4)
  await sql`INSERT INTO partners (id, workspace_id, name) VALUES (${partnerId}, ${workspaceId}, 'Agency')`.execute(db);
  await sql`INSERT INTO partner_members (partner_id, user_id, role) VALUES (${partnerId}, ${hostId}, 'host_admin')`.execute(
    db,
  );
  for (const [i, role] of (['guest_admin', 'guest_user', 'guest_user'] as const).entries()) {
    const guestId = await person('guest', `guest${i}`);
    await sql`INSERT INTO partner_members (partner_id, user_id, role) VALUES (${partnerId}, ${guestId}, ${role})`.execute(
      db,
    );
  }
  for (const accountId of [ACCOUNTS[13]!, ACCOUNTS[418]!]) {
    await sql`INSERT INTO accounts (id, workspace_id, name, app_name) VALUES (${accountId}, ${workspaceId}, 'Account', 'App')`.execute(
      db,
    );
    await sql`INSERT INTO grants (account_id, user_id, role) VALUES (${accountId}, ${hostId}, 'owner')`.execute(db);
  }
  return hostId;
}

async function measure(kind: 'postgres' | 'pglite'): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-chain-'));
  const admin = kind === 'postgres' ? openPostgres(adminUrl, { poolSize: 1 }) : undefined;
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  let database: DatabaseHandle | undefined;
  try {
    if (admin) await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    database = await openDatabase({ databaseUrl: admin ? url.toString() : undefined, dataDir });
    await migrateToLatest(database.db);
    const keyring = new WorkspaceKeyring(createHash('sha256').update('bench').digest());
    const { id: workspaceId } = await database.db
      .insertInto('workspaces')
      .values({ slug: 'bench', name: 'Bench', mode: 'local' })
      .returning('id')
      .executeTakeFirstOrThrow();
    log(`\n${kind === 'postgres' ? 'PostgreSQL' : 'Embedded (PGlite)'} — load ${load()}`);
    await fill(database, keyring, workspaceId);
    const unit = createUnitOfWork(database.db);

    let start = performance.now();
    const linked = await chainPendingEvents(unit, keyring, { workspaceId });
    const chainMs = performance.now() - start;
    log(
      `  chaining step: linked ${linked.toLocaleString('en')} in ${(chainMs / 1000).toFixed(2)} s (${rate(linked, chainMs)}), load ${load()}`,
    );

    if (!flags['skip-verify']) {
      start = performance.now();
      const report = await verifyActivityChain(database.db, keyring, workspaceId);
      const verifyMs = performance.now() - start;
      if (report.problem || report.chained !== eventCount)
        throw new Error(`verification failed: ${JSON.stringify(report)}`);
      log(
        `  verify: ${report.chained.toLocaleString('en')} events in ${(verifyMs / 1000).toFixed(2)} s (${rate(report.chained, verifyMs)}), load ${load()}`,
      );
    }

    // As autovacuum would by now: the planner knows the table's size (in a running system events are
    // linked as they come, so statistics never see a large unlinked backlog; see docs/performance.md).
    await sql`ANALYZE activity_events`.execute(database.db);
    // The Activity page's first page (50 events, newest first) for an admin, an admin filtering by one
    // partner, and a member whose scope is their own events, accounts and partners.
    const admin_: Actor = { userId: randomUUID(), workspaceId, role: 'owner', status: 'active' };
    const member: Actor = { userId: randomUUID(), workspaceId, role: 'member', status: 'active' };
    const host: Actor = { ...member, userId: await hostWithGuests(database.db, workspaceId) };
    const firstPage = async (label: string, actor: Actor, filters: ActivityFilters) => {
      const times: number[] = [];
      for (let i = 0; i < pageRuns; i += 1) {
        const began = performance.now();
        await queryActivity(database!.db, actor, filters, { limit: 50 });
        times.push(performance.now() - began);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
      log(`  first page, ${label}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms (${pageRuns} runs), load ${load()}`);
    };
    await firstPage('admin, no filter', admin_, {});
    await firstPage('admin, one partner', admin_, { partnerId: PARTNERS[0]! });
    await firstPage('admin, sign-in events', admin_, { groups: ['sign-in'] });
    await firstPage("member's scope, nothing to see", member, {});
    await firstPage("member's scope, 2 accounts and a partner with 3 guests", host, {});
    await firstPage("member's scope, one account", host, { accountId: ACCOUNTS[13]! });
  } finally {
    await database?.close();
    if (admin) {
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin.db);
      await admin.close();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

log(
  `Activity chain: ${eventCount.toLocaleString('en')} events per database; ${os.cpus().length} CPUs, Node ${process.version}`,
);
for (const kind of flags.databases!.split(',')) {
  if (kind !== 'postgres' && kind !== 'pglite') throw new Error(`--databases: unknown ${kind}`);
  await measure(kind);
}
