import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyContextConfig, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { Kysely } from 'kysely';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { createUnitOfWork, type UnitOfWork } from '../db/unit-of-work.js';
import { loggerOptions } from '../logger.js';
import { recordActivityWith } from '../services/activity.js';
import { sendNotificationsWith } from '../services/notifications.js';
import { ActivityChainer } from '../services/activity-chain.js';
import errorsPlugin, { frameworkErrors } from './plugins/errors.js';
import sessionsPlugin from './plugins/sessions.js';
import csrfPlugin from './plugins/csrf.js';
import openapiPlugin from './plugins/openapi.js';
import metricsPlugin from './plugins/metrics.js';
import webPlugin from './plugins/web.js';
import { PROBLEM_DESCRIPTIONS } from './problems.js';
import healthRoutes from './routes/health.js';
import downloadRoutes from './routes/downloads.js';
import setupRoutes from './routes/setup.js';
import workspaceRoutes from './routes/workspaces.js';
import authRoutes from './routes/auth.js';
import memberRoutes from './routes/members.js';
import activityRoutes from './routes/activity.js';
import partnerRoutes from './routes/partners.js';
import invitationRoutes from './routes/invitations.js';
import termsRoutes from './routes/terms.js';
import workspaceSettingsRoutes from './routes/workspace-settings.js';
import { registerGates } from './plugins/gates.js';
import { registerNoStore } from './plugins/no-store.js';
import devOutboxRoutes from './routes/dev-outbox.js';
import { createAppMail, type AppMail } from '../mail/app-mail.js';
import type { MailTransport } from '../mail/transport.js';
import type { OutboxWorkerTuning } from '../mail/worker.js';
import oidcRoutes from './routes/oidc.js';
import mfaRoutes from './routes/mfa.js';
import passkeyRoutes from './routes/passkeys.js';
import deviceRoutes from './routes/devices.js';
import connectRoutes from './routes/connect.js';
import sessionRoutes from './routes/sessions.js';
import accountRoutes from './routes/accounts.js';
import accountSharingRoutes from './routes/account-sharing.js';
import guestPasswordResetRoutes from './routes/guest-password-reset.js';
import passwordResetRoutes from './routes/password-reset.js';
import memberEmailRoutes from './routes/member-email.js';
import workspaceOwnershipRoutes from './routes/workspace-ownership.js';
import notificationRoutes from './routes/notifications.js';
import accessReviewRoutes from './routes/access-reviews.js';
import scimRoutes from './routes/scim.js';
import scimTokenRoutes from './routes/scim-tokens.js';
import ssoSettingsRoutes from './routes/sso-settings.js';
import samlRoutes from './routes/saml.js';
import { AttemptLimiter } from '../services/attempt-limiter.js';
import { DEFAULT_ATTEMPT_POLICY, type AttemptPolicy } from '../services/attempt-policy.js';
import { openAttemptStore } from '../services/attempt-stores.js';
import { WorkspaceKeyring } from '../services/keyring.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { COLOR_SCHEME_SCRIPT_SOURCE } from './color-scheme-script.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    /** The one way to run a use case in a transaction, with what it registered to run after commit. */
    unitOfWork: UnitOfWork;
    /** Links recorded events into the activity chain after commit; the server starts it after listen. */
    activityChainer: ActivityChainer;
    database: DatabaseHandle;
    config: Config;
    masterKey: Buffer;
    mail: AppMail;
    attempts: AttemptLimiter;
    keyring: WorkspaceKeyring;
    /** The time the server's own rules read (TOTP steps, expiries, time-outs). */
    clock: Clock;
    /** Every route with its gate configuration, for the tests that walk the route table. */
    routeTable: RouteSummary[];
  }
}

export interface RouteSummary {
  method: string;
  url: string;
  config: FastifyContextConfig;
}

export const DEFAULT_WEB_DIST = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../web/dist');
/** The browser extension's zip as `npm run build:extension` writes it, served at /downloads/. */
export const DEFAULT_EXTENSION_ZIP = path.resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../extension/dist-zip/gatehouse-extension.zip',
);

/** Small bodies only: nothing in the API needs more, and big bodies are a cheap way to burn CPU. */
const BODY_LIMIT_BYTES = 64 * 1024;

export interface BuildAppOptions {
  config: Config;
  database: DatabaseHandle;
  /** The resolved master key (configured, or the development key file). */
  masterKey: Buffer;
  /** Pass false to silence logs (tests), or pino options. */
  logger?: boolean | object;
  webDistDir?: string;
  /** The browser extension's zip to serve (default: DEFAULT_EXTENSION_ZIP). */
  extensionZip?: string;
  /** Mail transport to use instead of the one built from config.smtpUrl (the caller closes it). */
  mailTransport?: MailTransport;
  /** Outbox worker tuning (poll interval, retry delays); the worker is created here but not started. */
  mailWorker?: OutboxWorkerTuning;
  /** Brute-force protection: the lockout policy (tests shorten it) and the Redis key prefix. */
  attempts?: { policy?: Partial<AttemptPolicy>; keyPrefix?: string };
  /** The system clock unless given (tests move a clock forward instead of waiting). */
  clock?: Clock;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // A hop count trusts that many proxies in front of the server.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(config.trustProxy)
        : config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('db', database.db);
  app.decorate('database', database);
  app.decorate('config', config);
  app.decorate('masterKey', options.masterKey);
  app.decorate('clock', options.clock ?? systemClock);
  // One keyring per app: services and the mail outbox share its cache of unwrapped data keys.
  const keyring = new WorkspaceKeyring(options.masterKey);
  app.decorate('keyring', keyring);
  const mail = createAppMail({
    db: database.db,
    masterKey: options.masterKey,
    keyring,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    logger: app.log,
    transport: options.mailTransport,
    worker: options.mailWorker,
  });
  app.decorate('mail', mail);
  recordActivityWith(database.db, keyring);
  sendNotificationsWith(database.db, { masterKey: options.masterKey, keyring, publicUrl: config.publicUrl });
  let activityChainer: ActivityChainer | undefined = undefined;
  const unitOfWork = createUnitOfWork(database.db, {
    notices: { 'mail-queued': () => mail.wake(), 'activity-recorded': () => activityChainer?.wake() },
    onEffectError: (error) => app.log.error({ err: error }, 'An after-commit effect failed'),
  });
  app.decorate('unitOfWork', unitOfWork);
  activityChainer = new ActivityChainer(unitOfWork, keyring, app.log);
  app.decorate('activityChainer', activityChainer);
  const attemptStore = await openAttemptStore({
    redisUrl: config.redisUrl,
    pool: database.pool,
    db: database.db,
    keyPrefix: options.attempts?.keyPrefix ?? 'gatehouse:attempts',
    logger: app.log,
  });
  app.decorate(
    'attempts',
    new AttemptLimiter(attemptStore.counters, { ...DEFAULT_ATTEMPT_POLICY, ...options.attempts?.policy }),
  );
  app.addHook('onClose', async () => {
    await activityChainer.stop();
    await mail.close();
    await attemptStore.close();
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerNoStore(app);

  const routeTable: RouteSummary[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, config: route.config ?? {} });
    }
  });

  const secure = config.publicUrl.protocol === 'https:';
  await app.register(errorsPlugin);
  // Early, so its hooks see every request (latency, and the activity events each one records).
  await app.register(metricsPlugin);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", COLOR_SCHEME_SCRIPT_SOURCE],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: secure ? [] : null,
      },
    },
    hsts: secure,
  });
  await app.register(cookie);
  await app.register(sessionsPlugin, { secure });
  await app.register(csrfPlugin, { secure });
  await app.register(openapiPlugin);

  await app.register(healthRoutes);
  await app.register(downloadRoutes, { extensionZip: options.extensionZip ?? DEFAULT_EXTENSION_ZIP });
  await app.register(
    async (api) => {
      registerGates(api);
      await api.register(setupRoutes);
      await api.register(workspaceRoutes);
      await api.register(authRoutes);
      await api.register(memberRoutes);
      await api.register(activityRoutes);
      await api.register(partnerRoutes);
      await api.register(invitationRoutes);
      await api.register(termsRoutes);
      await api.register(workspaceSettingsRoutes);
      await api.register(devOutboxRoutes);
      await api.register(oidcRoutes);
      await api.register(mfaRoutes);
      await api.register(passkeyRoutes);
      await api.register(deviceRoutes);
      await api.register(connectRoutes);
      await api.register(sessionRoutes);
      await api.register(accountRoutes);
      await api.register(accountSharingRoutes);
      await api.register(guestPasswordResetRoutes);
      await api.register(passwordResetRoutes);
      await api.register(memberEmailRoutes);
      await api.register(workspaceOwnershipRoutes);
      await api.register(notificationRoutes);
      await api.register(accessReviewRoutes);
      await api.register(scimTokenRoutes);
      await api.register(ssoSettingsRoutes);
      await api.register(samlRoutes);
    },
    { prefix: '/api/v1' },
  );
  await app.register(scimRoutes, { prefix: '/scim/v2' });
  app.get('/api/problems/:name', { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const description = PROBLEM_DESCRIPTIONS[name];
    if (!description) return reply.callNotFound();
    return { type: `/api/problems/${name}`, description };
  });
  await app.register(webPlugin, { distDir: options.webDistDir ?? DEFAULT_WEB_DIST });
  return app;
}
