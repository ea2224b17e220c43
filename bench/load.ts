import http from 'node:http';

/**
 * A closed-loop HTTP load generator, run as a child process so its CPU and memory are not counted as the
 * server's: `concurrency` workers each send the next request as soon as the previous answer arrives, over
 * keep-alive connections, for a fixed time after a warm-up. Requests cycle through the given targets.
 */
export interface LoadJob {
  baseUrl: string;
  targets: Array<{ path: string; cookie: string }>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  meanBytes: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function requestOnce(agent: http.Agent, url: URL, cookie: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method: 'GET', headers: { cookie, accept: 'application/json' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const urls = job.targets.map((t) => ({ url: new URL(t.path, job.baseUrl), cookie: t.cookie }));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let next = 0;

  const worker = async () => {
    while (performance.now() < stopAt) {
      const target = urls[next++ % urls.length]!;
      const sent = performance.now();
      let status = 0;
      let size = 0;
      try {
        const answer = await requestOnce(agent, target.url, target.cookie);
        status = answer.status;
        size = answer.bytes;
      } catch {
        status = -1;
      }
      const done = performance.now();
      if (sent < measureFrom) continue;
      latencies.push(done - sent);
      bytes += size;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  agent.destroy();
  const seconds = (performance.now() - measureFrom) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    meanBytes: latencies.length ? bytes / latencies.length : 0,
  };
}

// As a child process: one job per message, one result back.
if (process.send) {
  process.on('message', (job: LoadJob) => {
    void runLoad(job).then((result) => process.send!(result));
  });
}
