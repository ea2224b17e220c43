import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeOwnPassword } from '../../services/own-password.js';
import { endOtherOwnSessions, endOwnSession, listOwnSessions } from '../../services/own-sessions.js';
import { requestContext, requireSession } from '../context.js';
import { Password, problemResponses } from '../schemas.js';

const SessionSchema = z.object({
  id: z.uuid(),
  current: z.boolean(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  browser: z.string(),
  os: z.string(),
  clientApp: z.object({ deviceId: z.uuid(), deviceName: z.string(), kind: z.string() }).nullable(),
});

/**
 * The person's own security (issue 11): **Sessions** — where they are signed in, and signing any of them
 * out — and **Change password**.
 */
const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your active sessions: each browser and each connected client app, the current one marked',
        response: { 200: z.object({ sessions: z.array(SessionSchema) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ sessions: await listOwnSessions(app.db, app.clock, requireSession(request)) }),
  );

  app.delete(
    '/sessions/:sessionId',
    {
      schema: {
        tags: ['auth'],
        summary: '**Sign out** one of your sessions (out at its next request)',
        params: z.strictObject({ sessionId: z.uuid({ error: 'Not a valid session id.' }) }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await app.unitOfWork.run((tx) => endOwnSession(tx, session, request.params.sessionId, requestContext(request)));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/sessions/sign-out-others',
    {
      schema: {
        tags: ['auth'],
        summary: '**Sign out everywhere else**: every session of yours but this one ends',
        response: { 200: z.object({ ended: z.number().int() }), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      return { ended: await app.unitOfWork.run((tx) => endOtherOwnSessions(tx, session, requestContext(request))) };
    },
  );

  app.post(
    '/auth/password',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['auth'],
        summary:
          '**Change password** (Security): the current one, then the new one twice; every other session ends and you are emailed',
        body: z.strictObject({
          currentPassword: z.string().min(1, { error: 'Enter your current password.' }).max(1024),
          newPassword: Password,
          newPasswordAgain: z.string().max(1024),
        }),
        response: {
          200: z.object({ otherSessionsEnded: z.number().int() }),
          ...problemResponses(400, 401, 403, 409, 422, 429),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const ended = await changeOwnPassword(
        app.unitOfWork,
        {
          attempts: app.attempts,
          clock: app.clock,
          masterKey: app.masterKey,
          keyring: app.keyring,
          publicUrl: app.config.publicUrl,
        },
        session,
        request.body,
        requestContext(request),
      );
      return { otherSessionsEnded: ended };
    },
  );
};

export default sessionRoutes;
