/**
 * First render of the sign-in page in Chromium, beside a trivial page with one password field served by
 * the same server, in the same run: `npm run bench -- --only first-render`. See docs/performance.md.
 *
 * The real server (`buildApp` on the embedded database, with one workspace made by first-run set-up)
 * serves the built web app from web/dist (`npm run build:web` first) and, on one extra route, the trivial
 * page. Each run opens a fresh browser context (empty cache, no cookies), navigates, and reads in the
 * page the time from navigation start to the first paint that shows the password field: the animation
 * frame after it is laid out with a size, or the first contentful paint if that comes later (a field in
 * the page's HTML is laid out before the page can paint). The two pages take turns (the order flips each pair) so that the load of a shared machine
 * falls on both alike; the figures are medians. Bytes are what the network carried until the page went
 * idle (compressed bodies plus headers, as Chromium counts them).
 *
 * Flags: --runs N pairs (default 15), --throttle (a remote user: 40 ms round trip, 20 Mbit/s down,
 * 5 Mbit/s up, applied to both pages alike), --out file.json (the figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { buildApp, DEFAULT_WEB_DIST } from '../src/http/app.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    throttle: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  // npm run bench passes every scenario the flags meant for others too (e.g. --scale).
  strict: false,
});
const runs = Number.parseInt(String(flags.runs), 10);
const CHROMIUM = process.env.GATEHOUSE_TEST_CHROMIUM ?? '/usr/bin/chromium';
// The same flags as the browser tests (test/helpers/browser.ts).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WORKSPACE = { workspaceName: 'Acme Inc', slug: 'acme' };
const TRIVIAL_PATH = '/bench/trivial-sign-in';
/** One password field and nothing else: the floor a sign-in page can approach. */
const TRIVIAL_HTML = `<!doctype html>
<html lang="en"><head><meta charset="UTF-8"><title>Sign in</title></head>
<body><form><label>Password <input type="password" name="password"></label></form></body></html>`;

/**
 * Runs in every document before its own scripts: records performance.now() at the first animation frame
 * in which an <input type=password> is laid out with a size (the frame that paints it).
 */
const PROBE = `(() => {
  const check = () => {
    if (window.__passwordFieldSeen) return;
    const field = document.querySelector('input[type="password"]');
    if (!field) return;
    const box = field.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(field).visibility === 'hidden') return;
    window.__passwordFieldSeen = true;
    observer.disconnect();
    requestAnimationFrame(() => { window.__passwordFieldVisibleAt = performance.now(); });
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener('DOMContentLoaded', check);
})();`;

interface Sample {
  ms: number;
  firstContentfulPaintMs: number | null;
  /** Transferred (compressed body and headers) before the field showed, and in how many responses. */
  bytesBefore: number;
  responsesBefore: number;
  /** Transferred until the network went idle (later chunks, data, prefetches included). */
  bytes: number;
  requests: number;
  encodings: string[];
}

const log = (line = '') => process.stdout.write(`${line}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function measure(browser: Browser, url: string): Promise<Sample> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(PROBE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (flags.throttle) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 40,
        downloadThroughput: (20_000_000 / 8) | 0,
        uploadThroughput: (5_000_000 / 8) | 0,
      });
    }
    let bytes = 0;
    let requests = 0;
    const encodings = new Set<string>();
    cdp.on('Network.loadingFinished', (event) => {
      bytes += event.encodedDataLength;
      requests += 1;
    });
    cdp.on('Network.responseReceived', (event) => {
      const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      encodings.add(String(headers['content-encoding'] ?? 'identity'));
    });

    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as { __passwordFieldVisibleAt?: number }).__passwordFieldVisibleAt, null, {
      timeout: 60_000,
      polling: 50,
    });
    // The field is on screen at the first paint after it is laid out: the frame the probe saw, or the first
    // contentful paint when it was in the page before anything was painted (the page's own HTML).
    await page
      .waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, {
        timeout: 5_000,
        polling: 50,
      })
      .catch(() => undefined);
    const timing = await page.evaluate(() => {
      const frame = (window as { __passwordFieldVisibleAt?: number }).__passwordFieldVisibleAt ?? NaN;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
      const shown = Math.max(frame, fcp ?? 0);
      // What had arrived by then: the page and the files that finished before it showed.
      const before = [
        ...(performance.getEntriesByType('navigation') as PerformanceResourceTiming[]),
        ...(performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
          (entry) => entry.responseEnd <= shown,
        ),
      ];
      return {
        frame,
        fcp,
        bytesBefore: before.reduce((sum, entry) => sum + entry.transferSize, 0),
        before: before.length,
      };
    });
    // Let whatever the page still fetches after the first render (data, later chunks) finish, then count.
    await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => undefined);
    return {
      ms: Math.max(timing.frame, timing.fcp ?? 0),
      firstContentfulPaintMs: timing.fcp,
      bytesBefore: timing.bytesBefore,
      responsesBefore: timing.before,
      bytes,
      requests,
      encodings: [...encodings],
    };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(DEFAULT_WEB_DIST, 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` first');
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (set GATEHOUSE_TEST_CHROMIUM)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-render-'));
  const database = await openDatabase({ dataDir });
  let browser: Browser | undefined;
  try {
    await migrateToLatest(database.db);
    const config = loadConfig({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent' });
    const masterKey = createHash('sha256').update('gatehouse bench master key').digest();
    const app = await buildApp({
      config,
      database,
      masterKey,
      logger: process.env.BENCH_VERBOSE ? { level: 'error' } : false,
    });
    app.get(TRIVIAL_PATH, { schema: { hide: true } }, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(TRIVIAL_HTML),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('The server has no TCP address');
      const base = `http://127.0.0.1:${address.port}`;
      // First-run set-up, as the web app does it: a CSRF token and its cookie, then POST /setup.
      const csrf = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf' });
      const setup = await app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        headers: { 'x-csrf-token': (csrf.json() as { token: string }).token },
        cookies: Object.fromEntries(csrf.cookies.map((c) => [c.name, c.value])),
        payload: {
          ...WORKSPACE,
          displayName: 'Ada Owner',
          email: 'ada@acme.test',
          password: 'correct horse battery staple',
        },
      });
      if (setup.statusCode !== 201) throw new Error(`set-up failed: ${setup.statusCode} ${setup.body}`);

      const pages = {
        signIn: `${base}/w/${WORKSPACE.slug}/sign-in`,
        trivial: `${base}${TRIVIAL_PATH}`,
      } as const;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      log(
        `Chromium ${browser.version()}, ${runs} alternating pairs, cold cache each${flags.throttle ? ', throttled: 40 ms RTT, 20/5 Mbit/s' : ', no throttling (loopback)'}`,
      );
      // One unmeasured pair: the browser's and the server's first-time costs (JIT, file cache).
      await measure(browser, pages.signIn);
      await measure(browser, pages.trivial);

      const samples: Record<keyof typeof pages, Sample[]> = { signIn: [], trivial: [] };
      const loads: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        loads.push(os.loadavg()[0] ?? 0);
        const order: Array<keyof typeof pages> = i % 2 === 0 ? ['signIn', 'trivial'] : ['trivial', 'signIn'];
        for (const which of order) samples[which].push(await measure(browser, pages[which]));
      }

      const summary = (which: keyof typeof pages) => {
        const list = samples[which];
        const fcp = list.map((s) => s.firstContentfulPaintMs).filter((v): v is number => v !== null);
        return {
          medianMs: median(list.map((s) => s.ms)),
          minMs: Math.min(...list.map((s) => s.ms)),
          maxMs: Math.max(...list.map((s) => s.ms)),
          medianFcpMs: fcp.length ? median(fcp) : null,
          bytesBefore: median(list.map((s) => s.bytesBefore)),
          responsesBefore: median(list.map((s) => s.responsesBefore)),
          bytes: median(list.map((s) => s.bytes)),
          requests: median(list.map((s) => s.requests)),
          encodings: [...new Set(list.flatMap((s) => s.encodings))].sort(),
        };
      };
      const signIn = summary('signIn');
      const trivial = summary('trivial');
      const ratio = signIn.medianMs / trivial.medianMs;
      const pairRatios = samples.signIn.map((s, i) => s.ms / samples.trivial[i]!.ms);
      for (const [label, s] of [
        ['sign-in page', signIn],
        ['trivial page', trivial],
      ] as const) {
        log(
          `  ${label.padEnd(14)} password field visible: median ${s.medianMs.toFixed(0)} ms (min ${s.minMs.toFixed(0)}, max ${s.maxMs.toFixed(0)}); first contentful paint ${s.medianFcpMs?.toFixed(0) ?? '-'} ms; ${kb(s.bytesBefore)} in ${s.responsesBefore} responses before it showed, ${kb(s.bytes)} in ${s.requests} until idle (${s.encodings.join(', ')})`,
        );
      }
      log(
        `  ratio sign-in ÷ trivial: ${ratio.toFixed(2)}× (median of per-pair ratios ${median(pairRatios).toFixed(2)}×); goal ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'not met'}`,
      );
      log(
        `  load average during the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (1 min), ${os.cpus().length} CPUs`,
      );
      if (flags.out) {
        fs.writeFileSync(
          String(flags.out),
          JSON.stringify(
            { runs, throttle: flags.throttle, signIn, trivial, ratio, pairRatios, loads, samples },
            null,
            2,
          ),
        );
      }
    } finally {
      await app.close();
    }
  } finally {
    await browser?.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
