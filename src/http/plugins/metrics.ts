import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { observeActivity, type ActivityObserver } from '../../services/activity.js';
import { problemType, sendProblem } from '../problems.js';
import {
  incrementsFor,
  LOCKOUT_SCOPES,
  SECOND_FACTOR_METHODS,
  SECOND_FACTOR_PURPOSES,
  SECRET_KINDS,
  SIGN_IN_METHODS,
  type ActivityCounterName,
} from './metrics-activity.js';

export interface AppMetrics {
  /** This app's own registry (never prom-client's global one), so apps in one process stay apart. */
  readonly registry: Registry;
  /** Refreshes what is read from the database, then renders the Prometheus text format. */
  scrape(): Promise<string>;
  /** Told of the committed activity events of each request; exposed so a test can record events the same way. */
  readonly activityObserver: ActivityObserver;
  /** The separate metrics listener's address once listening (GATEHOUSE_METRICS_LISTEN), else null. */
  listenAddress(): AddressInfo | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Null unless GATEHOUSE_METRICS_TOKEN or GATEHOUSE_METRICS_LISTEN is set. */
    metrics: AppMetrics | null;
  }
}

/** A scrape waits this long for the database, then reports gatehouse_database_up 0 and what it has. */
const DATABASE_WAIT_MS = 2000;
const UNMATCHED_ROUTE = '(unmatched)';
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ACTIVITY_LABELS: Record<ActivityCounterName, { help: string; labels: Record<string, readonly string[]> }> = {
  sign_ins: {
    help: 'Sign-in steps passed: password (a session opened), totp, recovery_code or passkey (the second factor at sign-in).',
    labels: { method: SIGN_IN_METHODS },
  },
  sign_in_failures: {
    help: 'Failed sign-in steps: a wrong or refused password, or a wrong second factor at sign-in.',
    labels: { method: SIGN_IN_METHODS },
  },
  second_factor_failures: {
    help: 'Wrong second factors, at sign-in, identity confirmation or enrolment.',
    labels: { method: SECOND_FACTOR_METHODS, purpose: SECOND_FACTOR_PURPOSES },
  },
  lockouts: {
    help: 'Lockouts started after too many failures, by what was being guessed.',
    labels: { scope: LOCKOUT_SCOPES },
  },
  secrets_delivered: {
    help: 'Account secrets handed out: password for autofill, password or TOTP secret revealed, TOTP code issued.',
    labels: { kind: SECRET_KINDS },
  },
};

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the token's content nor its length shows in the time taken. */
function bearerMatches(authorization: string | undefined, expectedDigest: Buffer): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(sha256(presented), expectedDigest);
}

/** Every combination of the given label values, to start each series at 0. */
function combinations(labels: Record<string, readonly string[]>): Record<string, string>[] {
  return Object.entries(labels).reduce<Record<string, string>[]>(
    (partial, [name, values]) => partial.flatMap((labelSet) => values.map((value) => ({ ...labelSet, [name]: value }))),
    [{}],
  );
}

/**
 * Prometheus metrics (SPEC §10). Off unless configured; then GET /metrics on the main port with the
 * bearer token, and/or a separate listener that serves only /metrics. See docs/operations.md.
 */
async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const { metricsToken, metricsListen } = app.config;
  if (!metricsToken && !metricsListen) {
    app.decorate('metrics', null);
    return;
  }

  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern (never the raw URL), method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const activityCounters = {} as Record<ActivityCounterName, Counter<string>>;
  for (const [name, { help, labels }] of Object.entries(ACTIVITY_LABELS) as [
    ActivityCounterName,
    (typeof ACTIVITY_LABELS)[ActivityCounterName],
  ][]) {
    const counter = new Counter({ name: `gatehouse_${name}_total`, help, labelNames: Object.keys(labels), registers });
    for (const labelSet of combinations(labels)) counter.inc(labelSet, 0);
    activityCounters[name] = counter;
  }

  // Told after commit (the unit of work's after-commit effects), so a rolled-back event is never counted.
  const activityObserver: ActivityObserver = (transaction) => {
    for (const { counter, labels } of incrementsFor(transaction)) activityCounters[counter].inc(labels);
  };

  const outboxMessages = new Gauge({
    name: 'gatehouse_mail_outbox_messages',
    help: 'Mail waiting in the outbox: queued (not tried yet) or retrying (a delivery failed, another try is due).',
    labelNames: ['state'] as const,
    registers,
  });
  const outboxOldestAge = new Gauge({
    name: 'gatehouse_mail_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest mail still waiting in the outbox (0 when none waits).',
    registers,
  });
  const databaseUp = new Gauge({
    name: 'gatehouse_database_up',
    help: 'Whether the database answered this scrape (1) or not (0).',
    registers,
  });
  const pool = () => app.database.pool;
  new Gauge({
    name: 'gatehouse_database_pool_connections',
    help: 'Connections the database pool holds, in use or idle.',
    registers,
    collect() {
      this.set(pool().totalCount);
    },
  });
  new Gauge({
    name: 'gatehouse_database_pool_idle_connections',
    help: 'Connections idle in the database pool.',
    registers,
    collect() {
      this.set(pool().idleCount);
    },
  });
  new Gauge({
    name: 'gatehouse_database_pool_waiting_requests',
    help: 'Queries waiting for a connection from the database pool.',
    registers,
    collect() {
      this.set(pool().waitingCount);
    },
  });

  /** One indexed query (the partial index outbox_due covers exactly the pending rows). */
  async function readOutbox(): Promise<void> {
    const { rows } = await sql<{ queued: number; retrying: number; oldest_seconds: number }>`
      SELECT count(*) FILTER (WHERE attempts = 0 OR last_error IS NULL)::int AS queued,
             count(*) FILTER (WHERE attempts > 0 AND last_error IS NOT NULL)::int AS retrying,
             coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
      FROM outbox WHERE state = 'pending'`.execute(app.db);
    const row = rows[0];
    outboxMessages.set({ state: 'queued' }, row?.queued ?? 0);
    outboxMessages.set({ state: 'retrying' }, row?.retrying ?? 0);
    outboxOldestAge.set(row?.oldest_seconds ?? 0);
  }

  /** Never fails for the database's sake: without it, the scrape says so and reports the rest. */
  async function scrape(): Promise<string> {
    let reachable = true;
    try {
      await withTimeout(readOutbox(), DATABASE_WAIT_MS);
    } catch (error) {
      reachable = false;
      // What the database would have told is left out rather than reported stale.
      outboxMessages.reset();
      outboxOldestAge.remove();
      app.log.warn({ err: error }, 'metrics: the database did not answer the scrape');
    }
    databaseUp.set(reachable ? 1 : 0);
    return registry.metrics();
  }

  app.addHook('onRequest', (_request, _reply, done) => observeActivity(activityObserver, () => done()));
  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      {
        method: HTTP_METHODS.has(request.method) ? request.method : 'other',
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (metricsToken) {
    const tokenDigest = sha256(metricsToken);
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, tokenDigest)) {
        reply.header('www-authenticate', 'Bearer realm="gatehouse-metrics"');
        return sendProblem(reply, {
          type: 'metrics-token-required',
          title: 'Metrics token required',
          status: 401,
          detail: 'Send the metrics token (GATEHOUSE_METRICS_TOKEN) as Authorization: Bearer <token>.',
        });
      }
      const body = await scrape();
      return reply.header('cache-control', 'no-store').type(registry.contentType).send(body);
    });
  }

  let listener: http.Server | undefined;
  if (metricsListen) {
    const server = http.createServer((request, response) => {
      void serveSeparately(request, response);
    });
    listener = server;
    const serveSeparately = async (request: http.IncomingMessage, response: http.ServerResponse) => {
      const answer = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
        response.end(request.method === 'HEAD' ? undefined : body);
      };
      const problem = (status: number, name: string, title: string, detail: string, headers?: Record<string, string>) =>
        answer(
          status,
          'application/problem+json; charset=utf-8',
          JSON.stringify({ type: problemType(name), title, status, detail }),
          headers,
        );
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics') return problem(404, 'not-found', 'Not found', 'This address serves only /metrics.');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return problem(405, 'method-not-allowed', 'Method not allowed', 'Read /metrics with GET.', {
          allow: 'GET, HEAD',
        });
      }
      try {
        answer(200, registry.contentType, await scrape());
      } catch (error) {
        app.log.error({ err: error }, 'metrics: the scrape failed');
        problem(500, 'internal-error', 'Internal error', 'The metrics could not be rendered; the server log says why.');
      }
    };
    app.addHook('onReady', async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(metricsListen.port, metricsListen.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (error) => app.log.error({ err: error }, 'metrics: the metrics listener failed'));
      const { address, port } = server.address() as AddressInfo;
      app.log.info(
        { address, port },
        `metrics at http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
      );
    });
    app.addHook('onClose', async () => {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    });
  }

  app.decorate('metrics', {
    registry,
    scrape,
    activityObserver,
    listenAddress: () => (listener?.listening ? (listener.address() as AddressInfo) : null),
  });
}

export default fp(metricsPlugin, { name: 'gatehouse-metrics' });
