import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { observeActivity, recordEvent } from '../../src/services/activity.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp, type TestAppOptions } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { decodeBase32, hotp, passSecondFactor, totpStepAt, turnOnMfa } from '../helpers/mfa.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

const TOKEN = 'metrics-token-for-the-tests-0123456789abcdef';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(env: Record<string, string>, options: Omit<TestAppOptions, 'env'> = {}): Promise<TestApp> {
  t = await createTestApp({ ...options, env });
  return t;
}

const withToken = { GATEHOUSE_METRICS_TOKEN: TOKEN };

function getMetrics(app: TestApp, authorization?: string): Promise<LightMyRequestResponse> {
  return app.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
}

async function scrapeText(app: TestApp): Promise<string> {
  const response = await getMetrics(app, `Bearer ${TOKEN}`);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

async function scrape(app: TestApp): Promise<PrometheusFamily[]> {
  return parsePrometheusTextFormat(await scrapeText(app));
}

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no metric ${name} in the scrape`);
  return found;
}

/** The value of the one sample of `name` whose labels are exactly `labels`. */
function value(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
  const samples = family(families, name).metrics.filter(
    (sample) =>
      JSON.stringify(Object.entries(sample.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  if (samples.length !== 1) throw new Error(`${samples.length} samples of ${name} with ${JSON.stringify(labels)}`);
  return Number(samples[0]!.value);
}

const LATENCY = 'gatehouse_http_request_duration_seconds';

/**
 * The requests counted in the latency histogram with these labels. parse-prometheus-text-format 1.1 folds
 * all series of a labelled histogram into one (its flattenMetrics ignores labels), so the histogram's
 * `_count` lines are parsed on their own, as plain samples that keep their labels.
 */
function requestCount(text: string, labels: { method: string; route: string; status_code: string }): number {
  const countLines = text.split('\n').filter((line) => line.startsWith(`${LATENCY}_count{`));
  const samples = parsePrometheusTextFormat(`${countLines.join('\n')}\n`).flatMap((f) => f.metrics);
  const matching = samples.filter(
    (s) =>
      s.labels?.method === labels.method &&
      s.labels.route === labels.route &&
      s.labels.status_code === labels.status_code,
  );
  return matching.reduce((sum, sample) => sum + Number(sample.value), 0);
}

/** Every route label in the latency histogram (see requestCount for why its lines are parsed alone). */
function routeLabels(text: string): Set<string | undefined> {
  const lines = text.split('\n').filter((line) => line.startsWith(`${LATENCY}_`));
  return new Set(
    parsePrometheusTextFormat(`${lines.join('\n')}\n`)
      .flatMap((f) => f.metrics)
      .map((sample) => sample.labels?.route),
  );
}

const signIn = (client: TestClient, username: string, password: string) =>
  client.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username, password });

async function eventCount(app: TestApp, action: string): Promise<number> {
  const row = await app.database.db
    .selectFrom('activity_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function pendingMail(app: TestApp): Promise<number> {
  const row = await app.database.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('/metrics', () => {
  it('counts sign-ins, failures, lockouts, second factors and secrets, and shows latency, pool and outbox', async () => {
    const app = await start(withToken, { worker: false, attempts: { policy: { userFailures: 3 } } });
    const owner = await setUpWorkspace(app);
    const { secret } = await turnOnMfa(owner);
    await trustDevice(owner, owner);
    const created = await owner.post('/api/v1/accounts', ACCOUNT);
    expect(created.statusCode, created.body).toBe(201);
    const accountId = created.json().id as string;
    const before = await scrape(app);

    // The owner signs in on a second browser: password, one wrong code, then the right one.
    const browser = app.client();
    expect((await signIn(browser, OWNER.email, OWNER.password)).statusCode).toBe(200);
    const farFromNow = hotp(decodeBase32(secret), totpStepAt(Date.now()) + 1000);
    const wrongCode = await browser.post('/api/v1/auth/second-factor', { code: farFromNow });
    expect(wrongCode.json().type).toBe('/api/problems/totp-code-invalid');
    await passSecondFactor(browser, secret);
    // One wrong password for the owner, and a stranger guessing until locked out.
    expect((await signIn(app.client(), OWNER.email, 'not the password')).statusCode).toBe(401);
    let strangerFailures = 0;
    for (;;) {
      const response = await signIn(app.client(), 'stranger@acme.test', 'guess 123456789');
      if (response.statusCode === 429) break;
      expect(response.statusCode).toBe(401);
      strangerFailures += 1;
      expect(strangerFailures).toBeLessThanOrEqual(3);
    }
    // The Log in button's TOTP code for the account.
    expect((await owner.post(`/api/v1/accounts/${accountId}/totp-code`)).statusCode).toBe(200);

    const afterText = await scrapeText(app);
    const after = parsePrometheusTextFormat(afterText);
    const moved = (name: string, labels: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved('gatehouse_sign_ins_total', { method: 'password' })).toBe(1);
    expect(moved('gatehouse_sign_ins_total', { method: 'totp' })).toBe(1);
    expect(moved('gatehouse_sign_ins_total', { method: 'passkey' })).toBe(0);
    expect(moved('gatehouse_sign_in_failures_total', { method: 'password' })).toBe(1 + strangerFailures);
    expect(moved('gatehouse_sign_in_failures_total', { method: 'totp' })).toBe(1);
    expect(moved('gatehouse_second_factor_failures_total', { method: 'totp', purpose: 'sign-in' })).toBe(1);
    expect(moved('gatehouse_lockouts_total', { scope: 'password' })).toBe(1);
    expect(moved('gatehouse_secrets_delivered_total', { kind: 'totp_code' })).toBe(1);
    expect(moved('gatehouse_secrets_delivered_total', { kind: 'password_reveal' })).toBe(0);
    // The counters agree with the activity log, the record of what committed.
    expect(value(after, 'gatehouse_sign_in_failures_total', { method: 'password' })).toBe(
      await eventCount(app, 'auth.sign_in_failed'),
    );
    expect(value(after, 'gatehouse_lockouts_total', { scope: 'password' })).toBe(
      await eventCount(app, 'auth.lockout_started'),
    );

    // Latency by route pattern, method and status.
    expect(requestCount(afterText, { method: 'POST', route: '/api/v1/auth/sign-in', status_code: '401' })).toBe(
      1 + strangerFailures,
    );
    expect(requestCount(afterText, { method: 'POST', route: '/api/v1/auth/sign-in', status_code: '429' })).toBe(1);
    expect(
      requestCount(afterText, { method: 'POST', route: '/api/v1/accounts/:accountId/totp-code', status_code: '200' }),
    ).toBe(1);
    expect(family(after, LATENCY).type).toBe('HISTOGRAM');

    // The database, the pool, the process.
    expect(value(after, 'gatehouse_database_up')).toBe(1);
    const total = value(after, 'gatehouse_database_pool_connections');
    expect(total).toBeGreaterThanOrEqual(1);
    expect(value(after, 'gatehouse_database_pool_idle_connections')).toBeLessThanOrEqual(total);
    expect(value(after, 'gatehouse_database_pool_waiting_requests')).toBe(0);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(value(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    // The device-code mail waits in the outbox (the worker is stopped) until the worker sends it.
    const waiting = await pendingMail(app);
    expect(waiting).toBeGreaterThanOrEqual(1);
    expect(value(after, 'gatehouse_mail_outbox_messages', { state: 'queued' })).toBe(waiting);
    expect(value(after, 'gatehouse_mail_outbox_messages', { state: 'retrying' })).toBe(0);
    expect(value(after, 'gatehouse_mail_outbox_oldest_pending_age_seconds')).toBeGreaterThan(0);
    await app.worker.runOnce();
    const sent = await scrape(app);
    expect(await pendingMail(app)).toBe(0);
    expect(value(sent, 'gatehouse_mail_outbox_messages', { state: 'queued' })).toBe(0);
    expect(value(sent, 'gatehouse_mail_outbox_oldest_pending_age_seconds')).toBe(0);
  });

  it('labels requests by route pattern, never by the raw URL', async () => {
    const app = await start(withToken);
    const owner = await setUpWorkspace(app);
    const id = randomUUID();
    await owner.get(`/api/v1/accounts/${id}`);
    await owner.get(`/api/v1/no-such-thing/${id}`);
    await owner.get(`/w/${id}?invitation=${id}`);
    await app.client().get(`/metrics?${id}`, { authorization: `Bearer ${TOKEN}` });

    const response = await getMetrics(app, `Bearer ${TOKEN}`);
    expect(response.body).not.toContain(id);
    const families = parsePrometheusTextFormat(response.body);
    expect(family(families, LATENCY).type).toBe('HISTOGRAM');
    const routes = routeLabels(response.body);
    expect(routes).toContain('/api/v1/accounts/:accountId');
    expect(routes).toContain('(unmatched)');
    expect(routes).toContain('/metrics');
    for (const sample of families.flatMap((f) => f.metrics)) {
      for (const label of Object.values(sample.labels ?? {})) expect(label).not.toContain(id);
    }
  });

  it('answers 401 problem+json without the right bearer token, and is not in the API document', async () => {
    const app = await start(withToken);
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`]) {
      const response = await getMetrics(app, authorization);
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="gatehouse-metrics"');
      expect(response.json()).toMatchObject({ type: '/api/problems/metrics-token-required', status: 401 });
      expect(response.body).not.toContain('gatehouse_');
    }
    expect((await getMetrics(app, `bearer ${TOKEN}`)).statusCode).toBe(200);
    const document = await app.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(document.statusCode).toBe(200);
    expect(Object.keys(document.json().paths)).not.toContain('/metrics');
    const problem = await app.app.inject({ method: 'GET', url: '/api/problems/metrics-token-required' });
    expect(problem.statusCode).toBe(200);
  });

  it('is off by default: /metrics is a 404 problem, not the web app', async () => {
    const app = await start({});
    expect(app.app.metrics).toBeNull();
    for (const authorization of [undefined, `Bearer ${TOKEN}`]) {
      const response = await getMetrics(app, authorization);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('serves /metrics without a token on the separate listen address, and only there', async () => {
    const app = await start({ GATEHOUSE_METRICS_LISTEN: '127.0.0.1:0' });
    await setUpWorkspace(app);
    const address = app.app.metrics?.listenAddress();
    expect(address?.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${address!.port}`;

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusTextFormat(text);
    expect(value(families, 'gatehouse_database_up')).toBe(1);
    expect(requestCount(text, { method: 'POST', route: '/api/v1/setup', status_code: '201' })).toBe(1);

    const elsewhere = await fetch(`${base}/api/v1/auth/csrf`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    // The main port has no /metrics: no token is configured.
    expect((await getMetrics(app)).statusCode).toBe(404);

    // Closing the app closes the listener.
    await app.close();
    t = undefined;
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
  });

  it('still answers when the database is down, saying so', async () => {
    const app = await start(withToken, { worker: false });
    await setUpWorkspace(app);
    await app.database.close();
    try {
      const text = await scrapeText(app);
      const families = parsePrometheusTextFormat(text);
      expect(value(families, 'gatehouse_database_up')).toBe(0);
      expect(family(families, 'gatehouse_mail_outbox_messages').metrics).toEqual([]);
      expect(family(families, 'gatehouse_mail_outbox_oldest_pending_age_seconds').metrics).toEqual([]);
      expect(family(families, 'gatehouse_database_pool_connections').metrics).toHaveLength(1);
      expect(requestCount(text, { method: 'POST', route: '/api/v1/setup', status_code: '201' })).toBe(1);
    } finally {
      // The database is closed already; close the rest by hand.
      t = undefined;
      await app.app.close();
      fs.rmSync(app.config.dataDir, { recursive: true, force: true });
    }
  });

  it('counts an event once its unit of work has committed, never one that rolled back', async () => {
    const app = await start(withToken);
    await setUpWorkspace(app);
    const { id: workspaceId } = await app.database.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
    const reveal = {
      workspaceId,
      actorId: null,
      action: 'account.password_revealed',
      context: { ip: null, userAgent: null },
    };
    const revealed = async () =>
      value(await scrape(app), 'gatehouse_secrets_delivered_total', { kind: 'password_reveal' });
    const observer = app.app.metrics!.activityObserver;
    // Read without the database (a scrape would wait for the open transaction's connection on PGlite).
    const revealedNow = async () =>
      (await app.app.metrics!.registry.getSingleMetric('gatehouse_secrets_delivered_total')!.get()).values.find(
        (sample) => sample.labels.kind === 'password_reveal',
      )?.value;

    await expect(
      observeActivity(observer, () =>
        app.app.unitOfWork.run(async (tx) => {
          await recordEvent(tx, reveal);
          throw new Error('rolled back after the event was written');
        }),
      ),
    ).rejects.toThrow('rolled back');
    expect(await revealed()).toBe(0);

    await observeActivity(observer, () =>
      app.app.unitOfWork.run(async (tx) => {
        await recordEvent(tx, reveal);
        expect(await revealedNow()).toBe(0);
      }),
    );
    expect(await revealedNow()).toBe(1);
    expect(await revealed()).toBe(1);
    expect(await revealed()).toBe(1);

    // Outside a transaction each insert commits by itself, and counts at once.
    await observeActivity(observer, async () => {
      await recordEvent(app.database.db, reveal);
      await recordEvent(app.database.db, reveal);
    });
    expect(await revealed()).toBe(3);
  });
});
