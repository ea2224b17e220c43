import nodemailer from 'nodemailer';
import type { BaseLogger } from 'pino';

export type MailLogger = Pick<BaseLogger, 'info' | 'warn' | 'error' | 'debug'>;

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** `development`: nothing leaves the process; messages stay readable in the development outbox. */
  readonly kind: 'smtp' | 'development';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** A dead or silent mail server fails a delivery quickly; the outbox retries it later. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
/** Inactivity on an open connection; keeps one delivery well inside the worker's lease. */
const SOCKET_TIMEOUT_MS = 30_000;
/** Connections one server instance keeps open to the mail server at most. */
const MAX_CONNECTIONS = 4;
const MAX_MESSAGES_PER_CONNECTION = 100;

export function createMailTransport(options: { smtpUrl?: string | undefined; logger: MailLogger }): MailTransport {
  if (!options.smtpUrl) return developmentTransport(options.logger);
  const transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    // Pooled connections: one connection (greeting, EHLO, STARTTLS, AUTH) carries many messages, and a
    // few carry messages at once, instead of one connection per message. A connection is replaced after
    // MAX_MESSAGES_PER_CONNECTION messages or when the server closes it.
    pool: true,
    maxConnections: MAX_CONNECTIONS,
    maxMessages: MAX_MESSAGES_PER_CONNECTION,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // nodemailer's own logger would print message contents at debug level: keep it off.
    logger: false,
    debug: false,
  });
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // Refuse anything that would make nodemailer read files or fetch URLs on its own.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    },
    close() {
      transporter.close();
    },
  };
}

/**
 * With no SMTP URL nothing is sent: the message stays in the outbox, readable by workspace admins on the
 * development outbox page. The log names recipient and subject only, never the body (it can hold a
 * temporary password).
 */
function developmentTransport(logger: MailLogger): MailTransport {
  return {
    kind: 'development',
    async send(message) {
      logger.info(
        { to: message.to, subject: message.subject },
        'Mail kept in the development outbox (no GATEHOUSE_SMTP_URL)',
      );
    },
    close() {},
  };
}
