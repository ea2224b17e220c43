import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueMail, type OutgoingMail, type WorkspaceSealer } from './outbox.js';
import { createMailTransport, type MailLogger, type MailTransport } from './transport.js';
import { OutboxWorker, type OutboxWorkerTuning } from './worker.js';

/** What routes and start-up need of mail, decorated on the Fastify instance as `app.mail`. */
export interface AppMail {
  readonly transport: MailTransport;
  /** Created with the app, not started: the server starts it after listen, tests as they choose. */
  readonly worker: OutboxWorker;
  /** True when nothing is sent (no SMTP URL): the development outbox page shows the messages. */
  readonly devOutbox: boolean;
  /** Queues a message in the caller's transaction; the unit of work wakes the worker after commit. */
  enqueue(tx: Kysely<Database>, message: OutgoingMail): Promise<string>;
  /** Asks the worker to look for due messages now rather than at its next poll. */
  wake(): void;
  /** Stops the worker (waiting for the message being sent) and closes the transport. */
  close(): Promise<void>;
}

export interface AppMailOptions {
  db: Kysely<Database>;
  masterKey: Buffer;
  /** The app's workspace keyring (one per app, shared with the services). */
  keyring: WorkspaceSealer;
  smtpUrl: string | undefined;
  from: string;
  logger: MailLogger;
  /** A transport to use instead of the one built from smtpUrl; its owner closes it. */
  transport?: MailTransport | undefined;
  worker?: OutboxWorkerTuning | undefined;
}

export function createAppMail(options: AppMailOptions): AppMail {
  const ownsTransport = !options.transport;
  const transport = options.transport ?? createMailTransport({ smtpUrl: options.smtpUrl, logger: options.logger });
  const worker = new OutboxWorker({
    db: options.db,
    masterKey: options.masterKey,
    keyring: options.keyring,
    transport,
    from: options.from,
    logger: options.logger,
    ...options.worker,
  });
  let closing: Promise<void> | undefined;
  return {
    transport,
    worker,
    devOutbox: transport.kind === 'development',
    enqueue: (tx, message) => enqueueMail(tx, options, message),
    wake: () => worker.wake(),
    close: () =>
      (closing ??= (async () => {
        await worker.stop();
        if (ownsTransport) transport.close();
      })()),
  };
}
