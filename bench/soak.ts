/**
 * `npm run soak`: two real server processes (the compiled `gatehouse serve`) on one fresh PostgreSQL
 * database with Redis for the attempt counters, under minutes of mixed traffic through both, while every
 * database connection is terminated (pg_terminate_backend) at one third and two thirds of the run.
 * Afterwards it checks what SPEC §10 promises and exits non-zero if any of it fails:
 * no 5xx but the 503 `database-unavailable` answers of killed requests, every acknowledged write present,
 * both processes alive and ready. Prints the figures (see docs/performance.md).
 *
 * Flags (or env): --minutes (SOAK_MINUTES, default 3), --clients per instance (SOAK_CLIENTS, 4),
 * --database-url (GATEHOUSE_BENCH_DATABASE_URL, an admin connection; default postgres://postgres@127.0.0.1:5432/postgres),
 * --redis-url (GATEHOUSE_BENCH_REDIS_URL, default redis://127.0.0.1:6379).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { percentile } from './load.js';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string' },
    clients: { type: 'string' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
  },
});
const minutes = Number(flags.minutes ?? process.env.SOAK_MINUTES ?? 3);
const clientsPerInstance = Number(flags.clients ?? process.env.SOAK_CLIENTS ?? 4);
const adminUrl =
  flags['database-url'] ?? process.env.GATEHOUSE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = flags['redis-url'] ?? process.env.GATEHOUSE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = path.join(root, 'bin/gatehouse.mjs');
const OWNER = { email: 'ada@soak.test', password: 'a long soak-test owner password' };

interface Sample {
  instance: number;
  kind: 'read' | 'write';
  status: number;
  type?: string;
  ms: number;
}

interface Server {
  index: number;
  url: string;
  process: ChildProcess;
  output: string[];
  exited: { code: number | null; signal: string | null } | undefined;
}

async function main(): Promise<number> {
  const name = `gatehouse_soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-soak-'));
  const env = {
    ...process.env,
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_REDIS_URL: redisUrl,
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  const servers: Server[] = [];
  try {
    await promisify(execFile)(process.execPath, [bin, 'migrate'], { env });
    await promisify(execFile)(
      process.execPath,
      [
        bin,
        'workspace',
        'create',
        '--slug',
        'soak',
        '--name',
        'Soak Inc',
        '--owner-email',
        OWNER.email,
        '--owner-password',
        OWNER.password,
      ],
      { env },
    );
    for (const index of [0, 1]) servers.push(await startServer(index, env));

    const durationMs = minutes * 60_000;
    const samples: Sample[] = [];
    // Signed in one after another: parallel sign-ins of one user reserve attempts together and would
    // meet the brute-force limit, which is not what this run measures.
    const signedIn: Array<{ server: Server; client: Awaited<ReturnType<typeof signedInClient>> }> = [];
    for (const server of servers) {
      for (let i = 0; i < clientsPerInstance; i++) signedIn.push({ server, client: await signedInClient(server.url) });
    }
    // Each client renames a partner of its own, so the last rename it saw acknowledged must be the stored
    // name (or a later rename whose answer was lost with its connection). Invitations are rate-limited per
    // inviter, so the partners are made once, before the clock starts.
    const writers: { partnerId: string; acknowledged: string | undefined; tried: string[] }[] = [];
    for (const [index, { client }] of signedIn.entries()) {
      const created = await client.request('POST', '/api/v1/partners', {
        name: `Agency ${index}`,
        guestAdminEmail: `guest${index}@agency${index}.test`,
        hostAdminIds: [client.userId],
      });
      if (created.status !== 201) throw new Error(`could not create a partner: ${JSON.stringify(created.json)}`);
      writers.push({
        partnerId: created.json.id as string,
        acknowledged: undefined as string | undefined,
        tried: [] as string[],
      });
    }
    let writesAcknowledged = 0;
    const startedAt = Date.now();
    const endAt = startedAt + durationMs;
    const killsAt = [durationMs / 3, (2 * durationMs) / 3];

    const clients = signedIn.map(async ({ server, client }, index) => {
      const writer = writers[index]!;
      for (let revision = 1; Date.now() < endAt;) {
        const write = Math.random() < 0.2;
        const began = performance.now();
        let status: number;
        let type: string | undefined;
        if (write) {
          const name = `Agency ${index} rev ${revision++}`;
          writer.tried.push(name);
          const response = await client.request('PATCH', `/api/v1/partners/${writer.partnerId}`, { name });
          status = response.status;
          type = response.type;
          if (status === 200) {
            writer.acknowledged = name;
            writer.tried = [name];
            writesAcknowledged++;
          }
        } else {
          const path = Math.random() < 0.5 ? '/api/v1/partners' : '/api/v1/auth/session';
          const response = await client.request('GET', path);
          status = response.status;
          type = response.type;
        }
        samples.push({
          instance: server.index,
          kind: write ? 'write' : 'read',
          status,
          type,
          ms: performance.now() - began,
        });
      }
    });
    const kills = killsAt.map(async (at) => {
      await sleep(at);
      const result = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      return { atS: Math.round((Date.now() - startedAt) / 1000), terminated: result.rowCount ?? 0 };
    });
    await Promise.all(clients);
    const killed = await Promise.all(kills);

    // The record: each partner holds its last acknowledged name, or a later one whose answer was lost.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const stored = new Map(
      (await check.query<{ id: string; name: string }>('SELECT id, name FROM partners')).rows.map((row) => [
        row.id,
        row.name,
      ]),
    );
    await check.end();
    const lost = writers.filter(
      (writer) => writer.acknowledged && !writer.tried.includes(stored.get(writer.partnerId)!),
    );
    const alive = await Promise.all(servers.map(async (server) => !server.exited && (await ready(server.url))));
    const unexpected = samples.filter(
      (s) => s.status >= 500 && !(s.status === 503 && s.type?.endsWith('/database-unavailable')),
    );
    const refused = samples.filter((s) => s.status === 503);
    const otherFailures = samples.filter((s) => s.status >= 400 && s.status < 500);
    const crashes = servers.flatMap((server) =>
      server.output.filter((line) => /Unhandled 'error' event|uncaught|ERR_UNHANDLED/i.test(line)),
    );

    const figures = {
      minutes,
      instances: servers.length,
      clientsPerInstance,
      requests: samples.length,
      requestsPerSecond: Math.round(samples.length / ((Date.now() - startedAt) / 1000)),
      writesAcknowledged,
      connectionKills: killed,
      refused503: refused.length,
      unexpected5xx: unexpected.length,
      client4xx: otherFailures.length,
      lostAcknowledgedWrites: lost.length,
      processesAlive: alive,
      latencyMs: {
        read: summary(samples.filter((s) => s.kind === 'read').map((s) => s.ms)),
        write: summary(samples.filter((s) => s.kind === 'write').map((s) => s.ms)),
      },
      crashLines: crashes,
    };
    console.log(JSON.stringify(figures, null, 2));
    const ok =
      unexpected.length === 0 &&
      lost.length === 0 &&
      alive.every(Boolean) &&
      otherFailures.length === 0 &&
      killed.every((k) => k.terminated > 0);
    console.log(ok ? 'SOAK PASSED' : 'SOAK FAILED');
    return ok ? 0 : 1;
  } finally {
    for (const server of servers) server.process.kill('SIGTERM');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.process.once('exit', resolve))));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

async function startServer(index: number, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = 41_000 + Math.floor(Math.random() * 10_000);
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...env, PORT: String(port), GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server: Server = { index, url: `http://127.0.0.1:${port}`, process: child, output: [], exited: undefined };
  const collect = (chunk: Buffer) => server.output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', (code, signal) => (server.exited = { code, signal }));
  for (let tries = 0; tries < 200 && !server.exited; tries++) {
    if (await ready(server.url)) return server;
    await sleep(100);
  }
  throw new Error(`server ${index} did not start:\n${server.output.join('\n')}`);
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** A signed-in API client with its cookies and CSRF token, as the web app is. */
async function signedInClient(baseUrl: string) {
  const cookies = new Map<string, string>();
  let csrf = '';
  const request = async (method: string, url: string, body?: unknown) => {
    const headers: Record<string, string> = {
      cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [key, ...value] = pair!.split('=');
      cookies.set(key!, value.join('='));
    }
    const text = await response.text();
    const json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    return { status: response.status, type: json?.type as string | undefined, json };
  };
  csrf = (await request('GET', '/api/v1/auth/csrf')).json.token;
  const signIn = await request('POST', '/api/v1/auth/sign-in', {
    workspace: 'soak',
    username: OWNER.email,
    password: OWNER.password,
  });
  if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${JSON.stringify(signIn.json)}`);
  const session = await request('GET', '/api/v1/auth/session');
  return { request, userId: session.json.user.id as string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
