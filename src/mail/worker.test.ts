import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { createMailTransport } from './transport.js';
import { WorkspaceKeyring } from '../services/keyring.js';
import { describeDeliveryError, OutboxWorker } from './worker.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function worker(options: { baseDelayMs?: number; maxDelayMs?: number } = {}) {
  return new OutboxWorker({
    db: {} as Kysely<Database>,
    masterKey: Buffer.alloc(32),
    keyring: new WorkspaceKeyring(Buffer.alloc(32)),
    transport: createMailTransport({ logger: silent }),
    from: 'no-reply@gatehouse.test',
    logger: silent,
    ...options,
  });
}

describe('OutboxWorker retry delays', () => {
  it('doubles from the base delay and stops at the maximum', () => {
    const w = worker({ baseDelayMs: 5000, maxDelayMs: 3_600_000 });
    expect([1, 2, 3, 4].map((n) => w.retryDelayMs(n))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(w.retryDelayMs(10)).toBe(2_560_000);
    expect(w.retryDelayMs(11)).toBe(3_600_000);
    expect(w.retryDelayMs(1000)).toBe(3_600_000);
  });

  it('uses the documented defaults', () => {
    const w = worker();
    expect(w).toMatchObject({
      pollIntervalMs: 1000,
      baseDelayMs: 5000,
      maxDelayMs: 3_600_000,
      maxAttempts: 20,
      leaseMs: 60_000,
    });
  });
});

describe('describeDeliveryError', () => {
  it('gives the code and message on one line', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525\n  more'), { code: 'ESOCKET' });
    expect(describeDeliveryError(error)).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:2525 more');
  });

  it('truncates long messages to 500 characters', () => {
    const text = describeDeliveryError(new Error('x'.repeat(2000)));
    expect(text).toHaveLength(500);
    expect(text.endsWith('…')).toBe(true);
  });

  it('copes with values that are not errors', () => {
    expect(describeDeliveryError('boom')).toBe('boom');
    expect(describeDeliveryError(new Error(''))).toBe('Unknown error');
  });
});

describe('development transport', () => {
  it('logs recipient and subject, never the body', async () => {
    const lines: unknown[][] = [];
    const transport = createMailTransport({
      logger: { ...silent, info: (...args: unknown[]) => void lines.push(args) },
    });
    expect(transport.kind).toBe('development');
    await transport.send({
      from: 'a@b.test',
      to: 'guest@agency.test',
      subject: 'Invited',
      text: 'password S3cret',
      html: '<b>S3cret</b>',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).toContain('guest@agency.test');
    expect(JSON.stringify(lines)).not.toContain('S3cret');
  });
});
