import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEVICE_NAME_MAX_LENGTH } from '../../domain/devices.js';
import { addressKey } from '../../services/attempt-keys.js';
import {
  CONNECT_LIMIT_WINDOW_MS,
  CONNECT_LOOKUPS_PER_USER,
  CONNECT_STARTS_PER_ADDRESS,
  decideConnect,
  pollConnect,
  startConnect,
  viewConnectRequest,
} from '../../services/client-connect.js';
import { requestContext, requireSession } from '../context.js';
import { NameText, problemResponses } from '../schemas.js';

const ClientAppKindSchema = z.enum(['extension', 'cli'], { error: 'Use extension or cli.' });

const DeviceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(['browser', 'extension', 'cli']),
  status: z.enum(['pending_verification', 'pending_approval', 'approved', 'denied', 'removed']),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  approvedUntil: z.string().nullable(),
  approvalExpired: z.boolean(),
  current: z.boolean(),
  code: z.object({ expiresAt: z.string(), triesLeft: z.number().int() }).nullable(),
});

const UserCodeParams = z.strictObject({
  userCode: z.string().max(32, { error: 'Not a valid code.' }),
});

const ConnectRequestSchema = z.object({
  userCode: z.string(),
  kind: ClientAppKindSchema,
  clientAppName: z.string(),
  deviceName: z.string(),
  expiresAt: z.string(),
  clientAppApproved: z.boolean(),
  approvesAtOnce: z.boolean(),
});

/**
 * Connecting a client app (SPEC §7a), after the OAuth 2.0 device authorization grant (RFC 8628): the
 * client starts and polls without cookies; the person sees and decides the request in the web app.
 * Refusals while polling are problems whose `error` member carries RFC 8628's error code.
 */
const connectRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = () => ({
    masterKey: app.masterKey,
    keyring: app.keyring,
    clock: app.clock,
    publicUrl: app.config.publicUrl,
  });
  /** Looking up and deciding user codes: limited per person, so nobody can try codes at scale. */
  const takeLookup = (userId: string) =>
    app.attempts.takeAllowance('connect-lookup', userId, CONNECT_LOOKUPS_PER_USER, CONNECT_LIMIT_WINDOW_MS);

  app.post(
    '/connect/start',
    {
      config: { public: true, withoutCookies: true },
      schema: {
        tags: ['connect'],
        summary:
          'A client app asks to connect (RFC 8628 device authorization request): it gets a device code to poll with and a user code to show; the person approves at verificationUriComplete',
        body: z.strictObject({ kind: ClientAppKindSchema }),
        response: {
          200: z.object({
            deviceCode: z.string(),
            userCode: z.string(),
            verificationUri: z.string(),
            verificationUriComplete: z.string(),
            expiresIn: z.number().int(),
            interval: z.number().int(),
          }),
          ...problemResponses(400, 429),
        },
      },
    },
    async (request) => {
      const context = requestContext(request);
      await app.attempts.takeAllowance(
        'connect-start',
        context.ip ? addressKey(context.ip) : 'unknown',
        CONNECT_STARTS_PER_ADDRESS,
        CONNECT_LIMIT_WINDOW_MS,
      );
      const started = await app.unitOfWork.run((tx) => startConnect(tx, deps(), request.body.kind, context));
      const verificationUri = new URL('/app/connect', app.config.publicUrl).toString();
      return {
        ...started,
        verificationUri,
        verificationUriComplete: `${verificationUri}?code=${encodeURIComponent(started.userCode)}`,
      };
    },
  );

  app.post(
    '/connect/token',
    {
      config: { public: true, withoutCookies: true },
      schema: {
        tags: ['connect'],
        summary:
          'The client app polls (RFC 8628 device access token request): 400 with error authorization_pending, slow_down, expired_token, access_denied or invalid_grant until approved; then, once, its session token and device secret',
        body: z.strictObject({ deviceCode: z.string().min(1).max(256, { error: 'Not a valid device code.' }) }),
        response: {
          200: z.object({
            sessionToken: z.string(),
            deviceSecret: z.string(),
            device: DeviceSchema,
            user: z.object({ username: z.string(), displayName: z.string().nullable() }),
            workspace: z.object({ slug: z.string(), name: z.string() }),
          }),
          ...problemResponses(400),
        },
      },
    },
    async (request) => pollConnect(app.unitOfWork, deps(), request.body.deviceCode, requestContext(request)),
  );

  app.get(
    '/connect/requests/:userCode',
    {
      schema: {
        tags: ['connect'],
        summary:
          '**Connect the browser extension**: the request behind a user code, as the signed-in person will decide it',
        params: UserCodeParams,
        response: { 200: ConnectRequestSchema, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      await takeLookup(session.user.id);
      return viewConnectRequest(app.db, deps(), session, request.params.userCode);
    },
  );

  app.post(
    '/connect/requests/:userCode/approve',
    {
      schema: {
        tags: ['connect'],
        summary:
          '**Approve**: the client app becomes a device of yours, trusted at once from a trusted session, otherwise after the code emailed to you',
        params: UserCodeParams,
        body: z.strictObject({
          deviceName: NameText('Device names', {
            max: DEVICE_NAME_MAX_LENGTH,
            requiredMessage: 'Enter a name for this device.',
          }),
        }),
        response: { 200: z.object({ device: DeviceSchema }), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      await takeLookup(session.user.id);
      const result = await app.unitOfWork.run((tx) =>
        decideConnect(
          tx,
          deps(),
          session,
          request.params.userCode,
          { decision: 'approve', deviceName: request.body.deviceName },
          requestContext(request),
        ),
      );
      if (!result.ok) throw result.refusal;
      return { device: result.device! };
    },
  );

  app.post(
    '/connect/requests/:userCode/deny',
    {
      schema: {
        tags: ['connect'],
        summary: '**Deny**: the client app is told the connection was denied',
        params: UserCodeParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await takeLookup(session.user.id);
      await app.unitOfWork.run((tx) =>
        decideConnect(tx, deps(), session, request.params.userCode, { decision: 'deny' }, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );
};

export default connectRoutes;
