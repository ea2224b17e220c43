import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { cancelPendingMail, deliveryStates, enqueueMail, type OutgoingMail } from '../../src/mail/outbox.js';
import { createMailTransport, type MailTransport } from '../../src/mail/transport.js';
import { OutboxWorker } from '../../src/mail/worker.js';
import { WorkspaceKeyring } from '../../src/services/keyring.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { openPostgres } from '../../src/db/connect.js';
import { deadSmtpPort, smtpUrl, TestSmtpServer } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { addMember, MEMBER_PASSWORD } from '../helpers/partners.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function app(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await createTestApp(options);
  cleanups.push(() => t.close());
  return t;
}

async function smtpServer(port?: number): Promise<TestSmtpServer> {
  const server = await TestSmtpServer.start(port);
  cleanups.push(() => server.close());
  return server;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  const marker = `marker-${randomBytes(6).toString('hex')}`;
  return {
    workspaceId: null,
    kind: 'test',
    to: 'guest@agency.test',
    subject: `Hello ${marker}`,
    text: `Your temporary password is ${marker}\n`,
    html: `<p>Your temporary password is <strong>${marker}</strong></p>`,
    ...overrides,
  };
}

/** Queues one message in a committed transaction, then wakes the worker, as a route would. */
async function enqueueCommitted(t: TestApp, message: OutgoingMail): Promise<string> {
  const id = await t.database.db.transaction().execute((tx) => t.app.mail.enqueue(tx, message));
  t.app.mail.wake();
  return id;
}

function outboxRow(t: TestApp, id: string) {
  return t.database.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The workspace made by first-run set-up, and a pending invitation of a guest in a partner of it. */
async function workspaceWithInvitation(t: TestApp): Promise<{ workspaceId: string; invitationId: string }> {
  await setUpWorkspace(t);
  const db = t.database.db;
  const workspace = await db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
  const invitationId = await createInvitation(t, workspace.id);
  return { workspaceId: workspace.id, invitationId };
}

async function createInvitation(t: TestApp, workspaceId: string): Promise<string> {
  const db = t.database.db;
  const suffix = randomBytes(4).toString('hex');
  const partner = await db
    .insertInto('partners')
    .values({ workspace_id: workspaceId, name: `Agency ${suffix}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const email = `guest-${suffix}@agency.test`;
  const user = await db
    .insertInto('users')
    .values({
      workspace_id: workspaceId,
      email,
      username: email,
      display_name: 'Guest',
      kind: 'guest',
      role: 'guest',
      status: 'invited',
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invitation = await db
    .insertInto('invitations')
    .values({
      workspace_id: workspaceId,
      partner_id: partner.id,
      user_id: user.id,
      role: 'guest_user',
      link_token_hash: randomBytes(32).toString('hex'),
      expires_at: new Date(Date.now() + 48 * 3600_000),
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return invitation.id;
}

/**
 * Stops the workers once their batches in flight are done, then lets each poll a few more times: what the
 * mail server has by then is all it will ever get from them, so a count checked after this is final.
 */
async function settle(workers: OutboxWorker[]): Promise<void> {
  for (const worker of workers) await worker.stop();
  for (let i = 0; i < 3; i++) for (const worker of workers) await worker.runOnce();
}

describe('mail outbox over SMTP', () => {
  it('delivers mail queued in a committed transaction, then wipes the sealed body', async () => {
    const smtp = await smtpServer();
    const t = await app({ smtpUrl: smtp.url });
    const { workspaceId, invitationId } = await workspaceWithInvitation(t);
    const message = mail({ workspaceId, invitationId, kind: 'invitation', to: 'new.guest@agency.test' });
    const id = await enqueueCommitted(t, message);

    const [received] = await waitFor(() => (smtp.messages.length > 0 ? smtp.messages : null), 'the message to arrive');
    expect(received!.to).toEqual(['new.guest@agency.test']);
    expect(received!.from).toBe(/<([^>]+)>/.exec(t.config.mailFrom)![1]);
    expect(received!.subject).toBe(message.subject);
    expect(received!.headers.get('to')).toContain('new.guest@agency.test');
    expect(received!.text.trim()).toBe(message.text.trim());
    expect(received!.html).toContain(message.html);

    const row = await waitFor(async () => {
      const current = await outboxRow(t, id);
      return current.state === 'sent' ? current : null;
    }, 'the row to be marked sent');
    expect(row).toMatchObject({ sealed_body: null, attempts: 1, last_error: null, locked_until: null });
    expect(row.sent_at).toBeInstanceOf(Date);

    const states = await deliveryStates(t.database.db, [invitationId]);
    expect(states.get(invitationId)).toMatchObject({
      state: 'sent',
      attempts: 1,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(states.get(invitationId)!.sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('sends nothing when the transaction that queued the mail rolls back', async () => {
    const smtp = await smtpServer();
    const t = await app({ smtpUrl: smtp.url });
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await t.app.mail.enqueue(tx, mail());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    t.app.mail.wake();

    expect(await t.worker.runOnce()).toBe(0);
    await settle([t.worker]);
    expect(smtp.messages).toHaveLength(0);
    expect(await t.database.db.selectFrom('outbox').select('id').execute()).toHaveLength(0);
  });

  it('retries with growing delays while the mail server is down, then delivers exactly once', async () => {
    const port = await deadSmtpPort();
    const t = await app({
      smtpUrl: smtpUrl(port),
      worker: { pollIntervalMs: 50, baseDelayMs: 200, maxDelayMs: 10_000 },
    });
    const { invitationId } = await workspaceWithInvitation(t);
    const id = await enqueueCommitted(t, mail({ invitationId }));

    // Each failed attempt pushes the next one further: 200 ms, 400 ms, 800 ms after the failure (an
    // attempt starts no earlier than its due time, so the gaps are at least those delays).
    const nextAttempts: number[] = [];
    for (const attempts of [1, 2, 3]) {
      const row = await waitFor(async () => {
        const current = await outboxRow(t, id);
        return current.attempts === attempts && current.last_error && current.locked_until === null ? current : null;
      }, `attempt ${attempts} to fail`);
      expect(row.state).toBe('pending');
      expect(row.last_error).toMatch(/ECONNREFUSED/);
      expect(row.last_error).not.toContain('marker-');
      expect(row.sealed_body).not.toBeNull();
      nextAttempts.push(row.next_attempt_at.getTime());
    }
    expect(nextAttempts[1]! - nextAttempts[0]!).toBeGreaterThanOrEqual(400);
    expect(nextAttempts[2]! - nextAttempts[1]!).toBeGreaterThanOrEqual(800);

    const view = (await deliveryStates(t.database.db, [invitationId])).get(invitationId);
    expect(view).toMatchObject({ state: 'retrying', sentAt: null });
    expect(view!.attempts).toBeGreaterThanOrEqual(3);
    expect(view!.lastError).toMatch(/ECONNREFUSED/);
    expect(Date.parse(view!.nextAttemptAt!)).toBeGreaterThan(0);

    // The mail server comes back on the same address.
    const smtp = await smtpServer(port);
    await waitFor(() => smtp.messages.length > 0, 'the message to arrive once the server is back');
    const sent = await waitFor(async () => {
      const current = await outboxRow(t, id);
      return current.state === 'sent' ? current : null;
    }, 'the row to be marked sent');
    expect(sent).toMatchObject({ sealed_body: null, last_error: null });
    await settle([t.worker]);
    expect(smtp.messages).toHaveLength(1);
    expect((await deliveryStates(t.database.db, [invitationId])).get(invitationId)?.state).toBe('sent');
  });

  it('gives a message up after the last attempt and wipes its body', async () => {
    const port = await deadSmtpPort();
    const t = await app({ smtpUrl: smtpUrl(port), worker: false });
    const worker = new OutboxWorker({
      db: t.database.db,
      masterKey: t.app.masterKey,
      keyring: t.app.keyring,
      transport: t.app.mail.transport,
      from: t.config.mailFrom,
      logger: silent,
      maxAttempts: 2,
    });
    const { invitationId } = await workspaceWithInvitation(t);
    const id = await enqueueCommitted(t, mail({ invitationId }));

    expect(await worker.runOnce()).toBe(1);
    expect(await outboxRow(t, id)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await worker.runOnce()).toBe(0); // not due yet
    await t.database.db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .execute();
    expect(await worker.runOnce()).toBe(1);
    const row = await outboxRow(t, id);
    expect(row).toMatchObject({ state: 'failed', attempts: 2, sealed_body: null, locked_until: null });
    expect(row.last_error).toMatch(/ECONNREFUSED/);
    expect((await deliveryStates(t.database.db, [invitationId])).get(invitationId)?.state).toBe('failed');
  });

  it('two workers on one database deliver each of 20 messages exactly once', async () => {
    const smtp = await smtpServer();
    const t = await app({ smtpUrl: smtp.url, worker: false });
    const transports: MailTransport[] = [];
    const workers = [0, 1].map(() => {
      const transport = createMailTransport({ smtpUrl: smtp.url, logger: silent });
      transports.push(transport);
      return new OutboxWorker({
        db: t.database.db,
        masterKey: t.app.masterKey,
        keyring: t.app.keyring,
        transport,
        from: t.config.mailFrom,
        logger: silent,
        pollIntervalMs: 20,
        batchSize: 3,
      });
    });
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      for (const transport of transports) transport.close();
    });

    const subjects = Array.from({ length: 20 }, (_, i) => `Message ${i} ${randomBytes(4).toString('hex')}`);
    await t.database.db.transaction().execute(async (tx) => {
      for (const subject of subjects) await enqueueMail(tx, t.app, mail({ subject }));
    });
    for (const worker of workers) worker.start();

    await waitFor(() => smtp.messages.length >= 20, 'all 20 messages to arrive', 20_000);
    await waitFor(async () => {
      const rows = await t.database.db.selectFrom('outbox').select('state').where('state', '=', 'sent').execute();
      return rows.length === 20;
    }, 'all 20 rows to be marked sent');
    await settle(workers);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual([...subjects].sort());
    const rows = await t.database.db.selectFrom('outbox').select(['state', 'attempts', 'sealed_body']).execute();
    expect(rows.every((r) => r.state === 'sent' && r.attempts === 1 && r.sealed_body === null)).toBe(true);
  });

  it('keeps the body sealed in the table: the text is not there in clear', async () => {
    const t = await app({ worker: false });
    const marker = `S3cret-${randomBytes(8).toString('hex')}`;
    const id = await enqueueCommitted(t, mail({ text: `password ${marker}`, html: `<b>${marker}</b>` }));
    const row = await outboxRow(t, id);
    expect(row.sealed_body).toMatch(/^v1:outbox-1:/);
    expect(JSON.stringify(row)).not.toContain(marker);
    const [dump] = (await sql<{ dump: string }>`SELECT o::text AS dump FROM outbox o`.execute(t.database.db)).rows;
    expect(dump!.dump).not.toContain(marker);
  });

  it('gives up a message sealed under another master key, without retrying it', async () => {
    const smtp = await smtpServer();
    const t = await app({ smtpUrl: smtp.url, worker: false });
    const otherKey = randomBytes(32);
    const otherKeys = { masterKey: otherKey, keyring: new WorkspaceKeyring(otherKey) };
    const id = await t.database.db.transaction().execute((tx) => enqueueMail(tx, otherKeys, mail()));
    expect(await t.worker.runOnce()).toBe(1);
    const row = await outboxRow(t, id);
    expect(row.state).toBe('failed');
    expect(row.last_error).toMatch(/master key/);
    expect(await t.worker.runOnce()).toBe(0);
    expect(smtp.messages).toHaveLength(0);
  });

  it('never delivers mail cancelled before it was sent (resent or revoked invitation)', async () => {
    const smtp = await smtpServer();
    const t = await app({ smtpUrl: smtp.url, worker: false });
    const { invitationId } = await workspaceWithInvitation(t);
    const first = await enqueueCommitted(t, mail({ invitationId, subject: 'first' }));
    expect((await deliveryStates(t.database.db, [invitationId])).get(invitationId)).toMatchObject({
      state: 'queued',
      attempts: 0,
    });

    // Resend: cancel the old message and queue a new one in one transaction; the new one is "latest".
    const second = await t.database.db.transaction().execute(async (tx) => {
      expect(await cancelPendingMail(tx, invitationId)).toBe(1);
      return enqueueMail(tx, t.app, mail({ invitationId, subject: 'second' }));
    });
    expect(await outboxRow(t, first)).toMatchObject({ state: 'cancelled', sealed_body: null });
    expect((await deliveryStates(t.database.db, [invitationId])).get(invitationId)?.state).toBe('queued');

    // Revoke: cancel again.
    await t.database.db.transaction().execute((tx) => cancelPendingMail(tx, invitationId));
    expect(await outboxRow(t, second)).toMatchObject({ state: 'cancelled', sealed_body: null });
    expect((await deliveryStates(t.database.db, [invitationId])).get(invitationId)?.state).toBe('cancelled');

    expect(await t.worker.runOnce()).toBe(0);
    t.worker.start();
    await settle([t.worker]);
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports no delivery for invitations without mail', async () => {
    const t = await app({ worker: false });
    const { invitationId } = await workspaceWithInvitation(t);
    expect((await deliveryStates(t.database.db, [invitationId])).size).toBe(0);
    expect((await deliveryStates(t.database.db, [])).size).toBe(0);
  });
});

describe('outbox worker loop', () => {
  it('logs and keeps going when the database is unreachable, and stops cleanly', async () => {
    // A PostgreSQL address where nothing listens: every query fails to connect.
    const database = openPostgres(`postgres://postgres@127.0.0.1:${await deadSmtpPort()}/gatehouse`, { poolSize: 1 });
    cleanups.push(() => database.close());
    const transport = createMailTransport({ logger: silent });
    const unreachableKey = randomBytes(32);
    const failingWorker = (errors: unknown[]) =>
      new OutboxWorker({
        db: database.db,
        masterKey: unreachableKey,
        keyring: new WorkspaceKeyring(unreachableKey),
        transport,
        from: 'no-reply@gatehouse.test',
        logger: { ...silent, error: (...args: unknown[]) => void errors.push(args) },
        pollIntervalMs: 20,
      });
    const errors: unknown[] = [];
    const worker = failingWorker(errors);
    worker.start();
    await waitFor(() => errors.length > 0, 'the worker to log the failure');
    expect(worker.isRunning).toBe(true);
    await worker.stop();
    expect(worker.isRunning).toBe(false);
    const logged = errors.length;
    // No timer left behind: while a twin started now fails three more polls, the stopped one stays silent.
    const twinErrors: unknown[] = [];
    const twin = failingWorker(twinErrors);
    twin.start();
    await waitFor(() => twinErrors.length >= 3, 'the twin to fail three polls');
    await twin.stop();
    expect(errors).toHaveLength(logged);
  });
});

describe('development outbox', () => {
  it('keeps mail readable for the owner when no SMTP server is configured', async () => {
    const t = await app();
    expect(t.app.mail.devOutbox).toBe(true);
    const owner = await setUpWorkspace(t);
    const workspaceId = (await owner.get('/api/v1/auth/session')).json().workspace.id as string;
    const message = mail({ workspaceId, to: 'someone@agency.test' });
    const id = await enqueueCommitted(t, message);
    // Another workspace's mail (none here but system mail) is not listed.
    await enqueueCommitted(t, mail({ workspaceId: null }));

    const row = await waitFor(async () => {
      const current = await outboxRow(t, id);
      return current.state === 'sent' ? current : null;
    }, 'the development transport to take the message');
    expect(row.sealed_body).not.toBeNull(); // kept for this page

    const response = await owner.get('/api/v1/dev/outbox');
    expect(response.statusCode).toBe(200);
    const { messages } = response.json() as { messages: Record<string, unknown>[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      id,
      to: 'someone@agency.test',
      subject: message.subject,
      text: message.text,
      html: message.html,
      state: 'sent',
    });
    expect(Date.parse(messages[0]!.createdAt as string)).toBeGreaterThan(0);
  });

  it('is for the owner and admins only', async () => {
    const t = await app();
    const owner = await setUpWorkspace(t);
    await addMember(owner, 'mo@acme.test', 'member');
    await addMember(owner, 'al@acme.test', 'admin');
    const signedIn = async (username: string) => {
      const client = t.client();
      const signIn = await client.post('/api/v1/auth/sign-in', {
        workspace: OWNER.slug,
        username,
        password: MEMBER_PASSWORD,
      });
      expect(signIn.statusCode, signIn.body).toBe(200);
      // Get past the first-sign-in gates (SPEC §4), so what answers is the outbox's own rule.
      const terms = await client.get('/api/v1/terms/current');
      if (terms.statusCode === 200 && terms.json().accepted === false) {
        expect((await client.post('/api/v1/terms/accept', { version: terms.json().version })).statusCode).toBe(204);
      }
      return client;
    };

    const forbidden = await (await signedIn('mo@acme.test')).get('/api/v1/dev/outbox');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().type).toBe('/api/problems/forbidden');
    expect((await t.client().get('/api/v1/dev/outbox')).statusCode).toBe(401);
    const admin = await (await signedIn('al@acme.test')).get('/api/v1/dev/outbox');
    expect(admin.statusCode, admin.body).toBe(200);
    expect((admin.json().messages as Array<{ to: string }>).map((m) => m.to)).toContain('mo@acme.test');
  });

  it('does not exist when an SMTP server is configured', async () => {
    const t = await app({ smtpUrl: 'smtp://127.0.0.1:25', worker: false });
    const owner = await setUpWorkspace(t);
    const response = await owner.get('/api/v1/dev/outbox');
    expect(response.statusCode).toBe(404);
    expect(response.json().type).toBe('/api/problems/not-found');
  });
});

describe('a batch sent over pooled connections', () => {
  it('delivers every message, several at once, and the messages to one person in the order queued', async () => {
    const server = await smtpServer();
    const t = await app({ smtpUrl: smtpUrl(server.port), worker: false });
    const queued: Array<{ to: string; subject: string }> = [];
    for (let i = 0; i < 9; i++) {
      const message = mail({ to: `person${i % 3}@agency.test`, subject: `Message ${i}` });
      await enqueueCommitted(t, message);
      queued.push({ to: message.to, subject: message.subject });
    }
    expect(await t.worker.runOnce()).toBe(9);
    expect(server.messages).toHaveLength(9);
    for (const to of ['person0@agency.test', 'person1@agency.test', 'person2@agency.test']) {
      expect(server.messages.filter((m) => m.to[0] === to).map((m) => m.subject)).toEqual(
        queued.filter((q) => q.to === to).map((q) => q.subject),
      );
    }
  });
});
