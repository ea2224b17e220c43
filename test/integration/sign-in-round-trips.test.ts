import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { testDatabaseKind } from '../helpers/database.js';
import { redisUrl } from '../helpers/requirements.js';

/**
 * Issue 15: one password sign-in costs at most six database statements (BEGIN and COMMIT count), from
 * the request to the response: the user with their workspace in one query, one statement per counter
 * update, the session and its activity event in one transaction, and the response built from what was
 * just written rather than read back. A count is behaviour, not timing: it does not depend on the machine.
 */

/** Every statement any pg client of this process sends while `work` runs (both databases go through pg). */
async function statementsDuring(work: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  const counted = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    seen.push((text ?? '?').replace(/\s+/g, ' ').trim().slice(0, 160));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counted as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

const counterStores = [
  { name: 'the database', env: {} as Record<string, string>, skip: false },
  {
    name: 'Redis',
    env: { GATEHOUSE_REDIS_URL: redisUrl() ?? '' },
    skip: testDatabaseKind() !== 'postgres' || !redisUrl(),
  },
];

describe.each(counterStores)('one password sign-in, attempt counters in $name', ({ env, skip }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it.skipIf(skip)('takes at most six database statements, and one more sign-in takes no more', async () => {
    // No mail worker: nothing but the request may talk to the database while it is counted.
    t = await createTestApp({ worker: false, env, attempts: { keyPrefix: `round-trips:${Date.now()}` } });
    await setUpWorkspace(t);
    const browser = t.client({ ip: '198.51.100.7' });
    // The CSRF token first, so the count holds the sign-in alone.
    await browser.get('/api/v1/auth/csrf');
    for (let i = 0; i < 2; i++) {
      let status = 0;
      const statements = await statementsDuring(async () => {
        const response = await browser
          .another()
          .post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
        status = response.statusCode;
        expect((response.json() as { user: { email: string } }).user.email).toBe(OWNER.email);
      });
      expect(status).toBe(200);
      expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(6);
    }
  });
});
