/**
 * `npm run bench:startup` (and the `idle-memory` scenario of `npm run bench`): how long `gatehouse serve`
 * takes from process start to answering /healthz, and how much memory it holds once idle, on both
 * databases: the embedded one (PGlite, an existing data directory) and PostgreSQL (a database created for
 * the run and dropped afterwards). See docs/performance.md ("Start-up" and "Idle memory").
 *
 * Each run starts the server as a process of its own:
 * - compiled: `node bin/gatehouse.mjs serve`, the compiled JavaScript in dist/ (built first, incrementally);
 * - tsx: `node --import tsx/esm src/cli/main.ts serve`, the TypeScript sources compiled at run time by tsx,
 *   which is how bin/gatehouse.mjs ran before Gatehouse was built to JavaScript.
 * One unmeasured start per database creates its data (migrations, master key); then the modes and
 * databases take turns, so that the load of a shared machine falls on all of them alike. Per run: time to
 * the "Gatehouse is serving" log line and to the first 200 from /healthz (and the CPU time used by then);
 * then 20 requests, and at --idle seconds after the process started, its resident set size (`VmRSS` from
 * /proc/<pid>/status, Linux) and a breakdown from inside the process: V8's heap (used and total),
 * `external` and `arrayBuffers` from process.memoryUsage(), and the size of the WebAssembly memories it
 * created (PGlite's PostgreSQL heap), read by a small probe loaded with --import.
 *
 * Flags: --runs N (default 3), --modes compiled,tsx (default both), --databases pglite,postgres (default
 * both), --idle seconds after start (default 30), --database-url (GATEHOUSE_BENCH_DATABASE_URL, the admin
 * connection used to create and drop the database; default postgres://postgres@127.0.0.1:5432/postgres),
 * --out file.json (the figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';

const MODES = {
  compiled: ['bin/gatehouse.mjs', 'serve'],
  tsx: ['--import', 'tsx/esm', 'src/cli/main.ts', 'serve'],
} as const;
type Mode = keyof typeof MODES;
const DATABASES = ['pglite', 'postgres'] as const;
type DatabaseKind = (typeof DATABASES)[number];

/** Idle RSS goals of issue 15 (compiled server, 30 s after start). */
const GOALS_MIB: Record<DatabaseKind, number> = { postgres: 120, pglite: 400 };

/**
 * Loaded into the server process with --import: records every WebAssembly.Memory created and, on
 * SIGUSR2, writes process.memoryUsage() and their sizes to the file named by GATEHOUSE_BENCH_PROBE_FILE.
 * It allocates nothing until asked.
 */
const PROBE = `
import fs from 'node:fs';
const memories = [];
WebAssembly.Memory = new Proxy(WebAssembly.Memory, {
  construct(target, args, newTarget) {
    const memory = Reflect.construct(target, args, newTarget);
    memories.push(new WeakRef(memory));
    return memory;
  },
});
process.on('SIGUSR2', () => {
  const wasmMemory = memories.reduce((sum, ref) => sum + (ref.deref()?.buffer.byteLength ?? 0), 0);
  fs.writeFileSync(process.env.GATEHOUSE_BENCH_PROBE_FILE, JSON.stringify({ ...process.memoryUsage(), wasmMemory }));
});
`;
const PROBE_IMPORT = ['--import', `data:text/javascript,${encodeURIComponent(PROBE)}`];

interface Breakdown {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  wasmMemory: number;
}

interface RunResult {
  mode: Mode;
  database: DatabaseKind;
  servingMs: number;
  healthzMs: number;
  /** CPU time (user + system) the process had used when /healthz answered: less swayed by neighbours than wall time. */
  startupCpuMs: number | null;
  idleRssMiB: number | null;
  /** MiB, from inside the process at the same moment. */
  breakdown: Breakdown | null;
}

// Not strict: `npm run bench` passes its other flags (e.g. --scale) to every scenario.
const { values: flags } = parseArgs({
  strict: false,
  options: {
    runs: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'compiled,tsx' },
    databases: { type: 'string', default: 'pglite,postgres' },
    idle: { type: 'string', default: '30' },
    'database-url': { type: 'string' },
    out: { type: 'string' },
  },
});
const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);
const runs = Number.parseInt(text(flags.runs) ?? '3', 10);
const idleMs = Number.parseFloat(text(flags.idle) ?? '30') * 1000;
const modes = (text(flags.modes) ?? 'compiled,tsx').split(',').map((mode) => {
  if (!(mode in MODES)) throw new Error(`Unknown mode "${mode}" (compiled or tsx)`);
  return mode as Mode;
});
const databases = (text(flags.databases) ?? 'pglite,postgres').split(',').map((kind) => {
  if (!DATABASES.includes(kind as DatabaseKind)) throw new Error(`Unknown database "${kind}" (pglite or postgres)`);
  return kind as DatabaseKind;
});
const adminUrl =
  text(flags['database-url']) ??
  process.env.GATEHOUSE_BENCH_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(import.meta.dirname, '..');

/** User + system CPU time of a process, from /proc/<pid>/stat (clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function rssMiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the probe in the server process for its figures (MiB); null if it does not answer within 3 s. */
async function readBreakdown(pid: number, file: string): Promise<Breakdown | null> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 3000; waited += 50) {
    await sleep(50);
    if (!fs.existsSync(file)) continue;
    try {
      const usage = JSON.parse(fs.readFileSync(file, 'utf8')) as Breakdown;
      const mib = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
      return {
        heapUsed: mib(usage.heapUsed),
        heapTotal: mib(usage.heapTotal),
        external: mib(usage.external),
        arrayBuffers: mib(usage.arrayBuffers),
        wasmMemory: mib(usage.wasmMemory),
      };
    } catch {
      // Half written: try again.
    }
  }
  return null;
}

interface Target {
  database: DatabaseKind;
  dataDir: string;
  databaseUrl: string;
}

async function startOnce(mode: Mode, target: Target, measure: boolean): Promise<RunResult> {
  const probeFile = path.join(target.dataDir, 'memory-probe.json');
  const started = performance.now();
  const child = spawn(process.execPath, [...PROBE_IMPORT, ...MODES[mode]], {
    cwd: root,
    env: {
      ...process.env,
      GATEHOUSE_DATA_DIR: target.dataDir,
      GATEHOUSE_DATABASE_URL: target.databaseUrl,
      GATEHOUSE_REDIS_URL: '',
      GATEHOUSE_SMTP_URL: '',
      GATEHOUSE_LOG_LEVEL: 'info',
      GATEHOUSE_BENCH_PROBE_FILE: probeFile,
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const { url, servingMs } = await new Promise<{ url: string; servingMs: number }>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"Gatehouse is serving"/.exec(output);
        if (match) resolve({ url: match[1]!, servingMs: performance.now() - started });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`server exited early (${code}):\n${output}`)));
    });
    const health = await fetch(`${url}/healthz`);
    const healthzMs = performance.now() - started;
    const startupCpuMs = child.pid ? cpuMs(child.pid) : null;
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
    for (let round = 0; round < 5; round++) {
      for (const requestPath of ['/healthz', '/readyz', '/api/v1/setup', '/']) {
        await (await fetch(`${url}${requestPath}`)).arrayBuffer();
      }
    }
    let idleRssMiB: number | null = null;
    let breakdown: Breakdown | null = null;
    if (measure && child.pid) {
      // A measurement, not a synchronisation: idle memory is whatever the process holds at that moment.
      await sleep(Math.max(0, idleMs - (performance.now() - started)));
      idleRssMiB = rssMiB(child.pid);
      breakdown = await readBreakdown(child.pid, probeFile);
    }
    return { mode, database: target.database, servingMs, healthzMs, startupCpuMs, idleRssMiB, breakdown };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const load = () => os.loadavg()[0]!.toFixed(1);

if (modes.includes('compiled')) {
  // Incremental: a second or so when dist/ is current.
  const build = spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:server failed');
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-startup-'));
const databaseName = `gatehouse_bench_startup_${randomBytes(4).toString('hex')}`;
const admin = databases.includes('postgres') ? new pg.Client({ connectionString: adminUrl }) : undefined;
try {
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs, load ${load()}; RSS read ${idleMs / 1000} s after start; ` +
      `data ${workDir}`,
  );
  const targets: Target[] = [];
  for (const database of databases) {
    const dataDir = path.join(workDir, database);
    fs.mkdirSync(dataDir);
    let databaseUrl = '';
    if (database === 'postgres') {
      await admin!.connect();
      await admin!.query(`CREATE DATABASE ${databaseName}`);
      const url = new URL(adminUrl);
      url.pathname = `/${databaseName}`;
      databaseUrl = url.toString();
    }
    targets.push({ database, dataDir, databaseUrl });
    await startOnce(modes[0]!, targets.at(-1)!, false);
  }

  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const target of targets) {
      for (const mode of modes) {
        const result = await startOnce(mode, target, true);
        results.push(result);
        const b = result.breakdown;
        console.log(
          `run ${run} ${mode.padEnd(8)} ${target.database.padEnd(8)} serving ${result.servingMs.toFixed(0)} ms, ` +
            `/healthz ${result.healthzMs.toFixed(0)} ms (CPU ${result.startupCpuMs ?? '?'} ms), ` +
            `RSS ${result.idleRssMiB?.toFixed(1) ?? '?'} MiB` +
            (b
              ? ` (heap ${b.heapUsed}/${b.heapTotal}, external ${b.external}, array buffers ${b.arrayBuffers}` +
                (b.wasmMemory ? `, WebAssembly ${b.wasmMemory}` : '') +
                ')'
              : '') +
            ` (load ${load()})`,
        );
      }
    }
  }

  const known = (values: (number | null | undefined)[]) =>
    values.filter((value): value is number => value !== null && value !== undefined);
  const medianOf = (values: (number | null | undefined)[]) => {
    const numbers = known(values);
    return numbers.length ? Number(median(numbers).toFixed(1)) : null;
  };
  const summary = targets.flatMap((target) =>
    modes.map((mode) => {
      const own = results.filter((result) => result.mode === mode && result.database === target.database);
      const rss = known(own.map((result) => result.idleRssMiB));
      return {
        mode,
        database: target.database,
        runs: own.length,
        servingMs: Math.round(median(own.map((result) => result.servingMs))),
        healthzMs: Math.round(median(own.map((result) => result.healthzMs))),
        startupCpuMs: medianOf(own.map((result) => result.startupCpuMs)),
        rssMiB: medianOf(rss),
        rssRangeMiB: rss.length ? `${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)}` : '?',
        heapUsedMiB: medianOf(own.map((result) => result.breakdown?.heapUsed)),
        heapTotalMiB: medianOf(own.map((result) => result.breakdown?.heapTotal)),
        externalMiB: medianOf(own.map((result) => result.breakdown?.external)),
        arrayBuffersMiB: medianOf(own.map((result) => result.breakdown?.arrayBuffers)),
        wasmMiB: medianOf(own.map((result) => result.breakdown?.wasmMemory)),
      };
    }),
  );
  console.log(`\nMedians (MiB; RSS ${idleMs / 1000} s after start), load ${load()}:`);
  console.table(summary);
  for (const row of summary.filter((row) => row.mode === 'compiled')) {
    const goal = GOALS_MIB[row.database];
    const verdict = row.rssMiB === null ? 'not measured' : row.rssMiB <= goal ? 'met' : 'NOT met';
    console.log(`idle RSS on ${row.database}: ${row.rssMiB ?? '?'} MiB, goal ≤ ${goal} MiB: ${verdict}`);
  }
  if (flags.out && typeof flags.out === 'string') {
    fs.writeFileSync(flags.out, JSON.stringify({ node: process.version, idleMs, summary, results }, null, 2));
  }
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
