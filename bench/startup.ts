/**
 * `npm run bench:startup`: how long `gatehouse serve` takes from process start to answering /healthz, and
 * how much memory (RSS) it holds once idle, on the embedded database with an existing data directory.
 * See docs/performance.md.
 *
 * Each mode starts the server as its own process:
 * - compiled: `node bin/gatehouse.mjs serve`, the compiled JavaScript in dist/ (`npm run build:server` first);
 * - tsx: `node --import tsx/esm src/cli/main.ts serve`, the TypeScript sources compiled at run time by tsx,
 *   which is how bin/gatehouse.mjs ran before Gatehouse was built to JavaScript.
 * One unmeasured start creates the data directory (migrations, master key); then the modes take turns, so
 * that the load of a shared machine falls on all of them alike. Per run: time to the "Gatehouse is serving"
 * log line and to the first 200 from /healthz; then a few requests, a settling pause and RSS read from
 * /proc/<pid>/status (Linux).
 *
 * Flags: --runs N (default 5), --modes compiled,tsx (default both), --settle seconds (default 5),
 * --out file.json (the figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const MODES = {
  compiled: ['bin/gatehouse.mjs', 'serve'],
  tsx: ['--import', 'tsx/esm', 'src/cli/main.ts', 'serve'],
} as const;
type Mode = keyof typeof MODES;

interface RunResult {
  mode: Mode;
  servingMs: number;
  healthzMs: number;
  /** CPU time (user + system) the process had used when /healthz answered: less swayed by neighbours than wall time. */
  startupCpuMs: number | null;
  idleRssMiB: number | null;
}

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    modes: { type: 'string', default: 'compiled,tsx' },
    settle: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const runs = Number.parseInt(flags.runs, 10);
const settleMs = Number.parseFloat(flags.settle) * 1000;
const modes = flags.modes.split(',').map((mode) => {
  if (!(mode in MODES)) throw new Error(`Unknown mode "${mode}" (compiled or tsx)`);
  return mode as Mode;
});
const root = path.resolve(import.meta.dirname, '..');
if (modes.includes('compiled') && !fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
  throw new Error('dist/ is missing: run `npm run build:server` first');
}

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

async function startOnce(mode: Mode, dataDir: string): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...MODES[mode]], {
    cwd: root,
    env: {
      ...process.env,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_DATABASE_URL: '',
      GATEHOUSE_LOG_LEVEL: 'info',
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
    // A measurement, not a synchronisation: idle memory is whatever the process holds after this pause.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { mode, servingMs, healthzMs, startupCpuMs, idleRssMiB: child.pid ? rssMiB(child.pid) : null };
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

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-startup-'));
try {
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}; data ${dataDir}`,
  );
  await startOnce(modes[0]!, dataDir);
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const mode of modes) {
      const result = await startOnce(mode, dataDir);
      results.push(result);
      console.log(
        `run ${run} ${mode.padEnd(8)} serving ${result.servingMs.toFixed(0)} ms, /healthz ${result.healthzMs.toFixed(0)} ms ` +
          `(CPU ${result.startupCpuMs ?? '?'} ms), ` +
          `idle RSS ${result.idleRssMiB?.toFixed(1) ?? '?'} MiB (load ${os.loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  const summary = modes.map((mode) => {
    const own = results.filter((result) => result.mode === mode);
    const known = (values: (number | null)[]) => values.filter((value): value is number => value !== null);
    const rss = known(own.map((result) => result.idleRssMiB));
    const cpu = known(own.map((result) => result.startupCpuMs));
    return {
      mode,
      runs: own.length,
      servingMsMedian: Math.round(median(own.map((result) => result.servingMs))),
      healthzMsMedian: Math.round(median(own.map((result) => result.healthzMs))),
      startupCpuMsMedian: cpu.length ? median(cpu) : null,
      idleRssMiBMedian: rss.length ? Number(median(rss).toFixed(1)) : null,
    };
  });
  console.table(summary);
  if (flags.out) fs.writeFileSync(flags.out, JSON.stringify({ node: process.version, summary, results }, null, 2));
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
