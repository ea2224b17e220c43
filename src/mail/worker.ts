import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { SealError } from '../crypto/seal.js';
import { openMailBody, type MailBody, type MailKeys } from './outbox.js';
import type { MailLogger, MailTransport } from './transport.js';

export interface OutboxWorkerOptions extends MailKeys {
  db: Kysely<Database>;
  transport: MailTransport;
  /** The From header, e.g. `Gatehouse <no-reply@example.com>`. */
  from: string;
  logger: MailLogger;
  /** How often to look for due messages when nobody wakes the worker. */
  pollIntervalMs?: number;
  /** Retry delay after the first failed attempt; doubles with each further one… */
  baseDelayMs?: number;
  /** …up to this. */
  maxDelayMs?: number;
  /** After this many failed attempts the message is given up ('failed'). */
  maxAttempts?: number;
  /** How long a claimed message stays reserved for this worker; renewed right before sending. */
  leaseMs?: number;
  /** Messages claimed per statement. */
  batchSize?: number;
  /** Messages of a batch sent at once, to different recipients (default 4, the SMTP pool's size). */
  sendConcurrency?: number;
}

/** The tuning knobs, for callers that build the worker from elsewhere (app, tests). */
export type OutboxWorkerTuning = Pick<
  OutboxWorkerOptions,
  'pollIntervalMs' | 'baseDelayMs' | 'maxDelayMs' | 'maxAttempts' | 'leaseMs' | 'batchSize' | 'sendConcurrency'
>;

interface ClaimedMessage {
  id: string;
  workspace_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  sealed_body: string | null;
  attempts: number;
}

const MAX_ERROR_LENGTH = 500;
/** After an unexpected error (database down), wait longer each time, up to this. */
const MAX_ERROR_BACKOFF_MS = 30_000;

const ms = (value: number) => sql`(${value}::double precision * interval '1 millisecond')`;

/** A short, single-line description of a delivery failure: error code and message, no message content. */
export function describeDeliveryError(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    text =
      typeof code === 'string' && code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  } else {
    text = String(error);
  }
  text = text.replace(/\s+/g, ' ').trim() || 'Unknown error';
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Sends what the outbox holds. Any number of workers (one per server instance) may run on one database:
 * a message is claimed by one short UPDATE … FOR UPDATE SKIP LOCKED that takes a lease and counts the
 * attempt, and every later write checks that the attempt count is still the one claimed, so a worker
 * whose lease ran out never overwrites a newer attempt. Sending happens outside any transaction.
 */
export class OutboxWorker {
  private readonly db: Kysely<Database>;
  private readonly keys: MailKeys;
  private readonly transport: MailTransport;
  private readonly from: string;
  private readonly logger: MailLogger;
  readonly pollIntervalMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly sendConcurrency: number;

  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | undefined;
  private wakeRequested = false;
  private consecutiveErrors = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: OutboxWorkerOptions) {
    this.db = options.db;
    this.keys = { masterKey: options.masterKey, keyring: options.keyring };
    this.transport = options.transport;
    this.from = options.from;
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.baseDelayMs = options.baseDelayMs ?? 5000;
    this.maxDelayMs = options.maxDelayMs ?? 3_600_000;
    this.maxAttempts = options.maxAttempts ?? 20;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 10;
    this.sendConcurrency = Math.max(1, options.sendConcurrency ?? 4);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts polling (and sends what is already due right away). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.consecutiveErrors = 0;
    this.schedule(0);
  }

  /** Looks for due messages now rather than at the next poll: call it after committing new mail. */
  wake(): void {
    if (!this.running) return;
    if (this.cycle) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling and waits for the messages being handled; claimed but unsent ones are released. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.cycle) await this.cycle;
  }

  /** Claims and handles one batch of due messages; returns how many were handled. */
  runOnce(): Promise<number> {
    const run = this.handleBatch();
    this.inFlight.add(run);
    void run.then(
      () => this.inFlight.delete(run),
      () => this.inFlight.delete(run),
    );
    return run;
  }

  /** Delay before the next attempt, after `attempts` failed ones. */
  retryDelayMs(attempts: number): number {
    return Math.min(this.baseDelayMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40), this.maxDelayMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runCycle();
    }, delayMs);
    // The HTTP server keeps the process alive; a pending poll alone must not.
    this.timer.unref();
  }

  private runCycle(): void {
    if (!this.running || this.cycle) return;
    this.cycle = (async () => {
      let delay = this.pollIntervalMs;
      try {
        for (;;) {
          this.wakeRequested = false;
          const handled = await this.runOnce();
          this.consecutiveErrors = 0;
          // A full batch means more may be due: go on without waiting.
          if (!this.running || (handled < this.batchSize && !this.wakeRequested)) break;
        }
      } catch (error) {
        this.consecutiveErrors += 1;
        delay = Math.min(
          Math.max(this.pollIntervalMs, 1000) * 2 ** Math.min(this.consecutiveErrors - 1, 10),
          MAX_ERROR_BACKOFF_MS,
        );
        this.logger.error({ err: error, retryInMs: delay }, 'Mail outbox: could not process the queue');
      } finally {
        this.cycle = undefined;
        if (this.running) this.schedule(this.wakeRequested ? 0 : delay);
      }
    })();
  }

  /**
   * Delivers a claimed batch over up to `sendConcurrency` messages at once (the SMTP transport pools as
   * many connections); the messages to one recipient go one after the other, in the order claimed.
   */
  private async handleBatch(): Promise<number> {
    const claimed = await this.claim();
    const byRecipient = new Map<string, ClaimedMessage[]>();
    for (const message of claimed) {
      const key = message.recipient.toLowerCase();
      const queue = byRecipient.get(key);
      if (queue) queue.push(message);
      else byRecipient.set(key, [message]);
    }
    const queues = [...byRecipient.values()];
    const unsent: ClaimedMessage[] = [];
    let handled = 0;
    const lane = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const [index, message] of queue.entries()) {
          if (this.stopped) {
            unsent.push(...queue.slice(index));
            break;
          }
          try {
            await this.deliver(message);
          } catch (error) {
            // Only bookkeeping writes get here (the database went away); the lease expires and the
            // message is tried again, by this worker or another.
            this.logger.error(
              { err: error, messageId: message.id },
              'Mail outbox: could not record a delivery attempt',
            );
          }
          handled += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.sendConcurrency, queues.length) }, lane));
    if (unsent.length > 0) await this.release(unsent);
    return handled;
  }

  private async claim(): Promise<ClaimedMessage[]> {
    const result = await sql<ClaimedMessage>`
      UPDATE outbox
         SET locked_until = now() + ${ms(this.leaseMs)},
             attempts = attempts + 1
       WHERE id IN (
               SELECT id FROM outbox
                WHERE state = 'pending'
                  AND next_attempt_at <= now()
                  AND (locked_until IS NULL OR locked_until < now())
                ORDER BY next_attempt_at
                LIMIT ${this.batchSize}
                  FOR UPDATE SKIP LOCKED)
         AND state = 'pending'
      RETURNING id, workspace_id, kind, recipient, subject, sealed_body, attempts`.execute(this.db);
    return result.rows;
  }

  /** Gives back claimed messages this worker will not handle (it is stopping); the attempt does not count. */
  private async release(messages: ClaimedMessage[]): Promise<void> {
    for (const message of messages) {
      await this.db
        .updateTable('outbox')
        .set({ locked_until: null, attempts: sql`attempts - 1` })
        .where('id', '=', message.id)
        .where('state', '=', 'pending')
        .where('attempts', '=', message.attempts)
        .execute()
        .catch((error: unknown) =>
          this.logger.warn({ err: error, messageId: message.id }, 'Mail outbox: could not release a message'),
        );
    }
  }

  private async deliver(message: ClaimedMessage): Promise<void> {
    let body: MailBody;
    try {
      if (message.sealed_body === null) throw new Error('The message has no body');
      body = await openMailBody(this.db, this.keys, message.workspace_id, message.id, message.sealed_body);
    } catch (error) {
      const reason =
        error instanceof SealError || (error instanceof Error && error.name === 'MasterKeyMismatchError')
          ? 'The message body cannot be opened with the current master key (was GATEHOUSE_MASTER_KEY changed?)'
          : describeDeliveryError(error);
      await this.db
        .updateTable('outbox')
        .set({ state: 'failed', locked_until: null, last_error: reason })
        .where('id', '=', message.id)
        .where('state', '=', 'pending')
        .where('attempts', '=', message.attempts)
        .execute();
      this.logger.error({ messageId: message.id, kind: message.kind, reason }, 'Mail outbox: message given up');
      return;
    }

    // Renew the lease right before sending, and only if no other worker has claimed the message since
    // (its attempt count would have moved on) and it was not cancelled meanwhile.
    const renewed = await this.db
      .updateTable('outbox')
      .set({ locked_until: sql`now() + ${ms(this.leaseMs)}` })
      .where('id', '=', message.id)
      .where('state', '=', 'pending')
      .where('attempts', '=', message.attempts)
      .returning('id')
      .executeTakeFirst();
    if (!renewed) return;

    try {
      await this.transport.send({
        from: this.from,
        to: message.recipient,
        subject: message.subject,
        text: body.text,
        html: body.html,
      });
    } catch (error) {
      await this.recordFailure(message, describeDeliveryError(error));
      return;
    }

    // Delivered: the body (it may hold a temporary password) goes, except in development where the
    // development outbox page shows it. A message cancelled while it was being sent is recorded as
    // sent too, since it was.
    const keepBody = this.transport.kind === 'development';
    const updated = await this.db
      .updateTable('outbox')
      .set({
        state: 'sent',
        sent_at: sql`now()`,
        locked_until: null,
        last_error: null,
        ...(keepBody ? {} : { sealed_body: null }),
      })
      .where('id', '=', message.id)
      .where('state', 'in', ['pending', 'cancelled'])
      .where('attempts', '=', message.attempts)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      this.logger.warn({ messageId: message.id }, 'Mail outbox: sent a message whose lease had been taken over');
    }
    this.logger.debug(
      { messageId: message.id, kind: message.kind, attempts: message.attempts },
      'Mail outbox: message sent',
    );
  }

  private async recordFailure(message: ClaimedMessage, reason: string): Promise<void> {
    if (message.attempts >= this.maxAttempts) {
      await this.db
        .updateTable('outbox')
        // Never to be sent: nothing left to protect the body for (a resent invitation has a new one).
        .set({ state: 'failed', locked_until: null, last_error: reason, sealed_body: null })
        .where('id', '=', message.id)
        .where('state', '=', 'pending')
        .where('attempts', '=', message.attempts)
        .execute();
      this.logger.error(
        { messageId: message.id, kind: message.kind, attempts: message.attempts, reason },
        'Mail outbox: message given up',
      );
      return;
    }
    const delayMs = this.retryDelayMs(message.attempts);
    await this.db
      .updateTable('outbox')
      .set({ next_attempt_at: sql`now() + ${ms(delayMs)}`, locked_until: null, last_error: reason })
      .where('id', '=', message.id)
      .where('state', '=', 'pending')
      .where('attempts', '=', message.attempts)
      .execute();
    this.logger.warn(
      { messageId: message.id, kind: message.kind, attempts: message.attempts, retryInMs: delayMs, reason },
      'Mail outbox: delivery failed, will retry',
    );
  }
}
