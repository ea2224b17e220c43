import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Config } from './config.js';
import { resolveMasterKey } from './crypto/master-key.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrator.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './logger.js';
import { startupLine } from './startup-line.js';
import { startInvitationSweeper } from './services/invitation-sweeper.js';
import { startAccessExpirySweeper } from './services/access-expiry.js';
import { checkMasterKey } from './services/keyring.js';
import { startAccessReviewReminder } from './services/access-review-reminder.js';

export interface RunningServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  url: string;
  stop(): Promise<void>;
}

/** Opens the database, applies migrations and serves the API and the web app. */
export async function startServer(config: Config): Promise<RunningServer> {
  const logger = pino(loggerOptions(config.logLevel));
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  if (masterKey.origin === 'generated') {
    logger.warn(
      { file: masterKey.file },
      'No GATEHOUSE_MASTER_KEY given: generated a development master key (keep it, or set the variable in production)',
    );
  } else if (masterKey.origin === 'file') {
    logger.info({ file: masterKey.file }, 'Using the development master key from the data directory');
  }

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onConnectionLost: (error) =>
      logger.warn({ err: { message: error.message } }, 'A database connection was lost; the pool replaces it'),
  });
  try {
    const applied = await migrateToLatest(database.db);
    logger.info({ database: database.kind, location: database.location, applied }, 'Database ready');
    await checkMasterKey(database.db, masterKey.key);
    const app = await buildApp({ config, database, masterKey: masterKey.key, logger: loggerOptions(config.logLevel) });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, publicUrl: config.publicUrl.toString() }, 'Gatehouse is serving');
    app.mail.worker.start();
    app.activityChainer.start();
    const reviewReminder = startAccessReviewReminder(
      app.unitOfWork,
      { masterKey: app.masterKey, keyring: app.keyring, publicUrl: config.publicUrl },
      app.log,
    );
    const sweeper = startInvitationSweeper(app.unitOfWork, app.log);
    const accessSweeper = startAccessExpirySweeper(app.unitOfWork, app.clock, app.log);
    logger.info(
      { transport: app.mail.transport.kind },
      app.mail.devOutbox
        ? 'Mail: no GATEHOUSE_SMTP_URL, messages stay in the development outbox'
        : 'Mail: sending through SMTP',
    );
    // A person at a terminal gets one plain line on top of the JSON logs; piped output stays JSON only.
    if (process.stdout.isTTY) {
      process.stdout.write(
        `${startupLine({
          listeningUrl: url,
          publicUrl: config.publicUrl,
          publicUrlIsDefault: config.publicUrl.toString() === new URL(`http://localhost:${config.port}`).toString(),
          devOutbox: app.mail.devOutbox,
        })}\n`,
      );
    }
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await reviewReminder.stop();
        await sweeper.stop();
        await accessSweeper.stop();
        await app.mail.worker.stop();
        await app.close();
        await database.close();
      })());
    return { app, database, url, stop };
  } catch (error) {
    await database.close();
    throw error;
  }
}
