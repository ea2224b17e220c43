import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmEmailChange, lookupEmailChange, requestEmailChange } from '../../services/member-email.js';
import { requestContext, requireSession } from '../context.js';
import { Email, problemResponses } from '../schemas.js';

const Token = z
  .string()
  .min(20, { error: 'Not a valid email confirmation link.' })
  .max(100, { error: 'Not a valid email confirmation link.' })
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'Not a valid email confirmation link.' });

const WorkspaceRef = z.object({ slug: z.string(), name: z.string() });

/**
 * **Change email** of a member (SPEC §2a, issue 11): an admin asks, the new address confirms by its link.
 */
const memberEmailRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = () => ({
    clock: app.clock,
    masterKey: app.masterKey,
    keyring: app.keyring,
    publicUrl: app.config.publicUrl,
  });

  app.post(
    '/members/:userId/email',
    {
      schema: {
        tags: ['members'],
        summary:
          '**Change email**: mail a **Confirm email address** link (24 hours) to the new address and a notice to the old one; nothing changes until it is confirmed',
        params: z.strictObject({ userId: z.uuid({ error: 'Not a valid member id.' }) }),
        body: z.strictObject({ email: Email }),
        response: {
          202: z.object({ newEmail: z.string(), expiresAt: z.string() }),
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const requested = await app.unitOfWork.run((tx) =>
        requestEmailChange(tx, deps(), actor, request.params.userId, request.body.email, requestContext(request)),
      );
      return reply.status(202).send(requested);
    },
  );

  app.get(
    '/email-changes/:token',
    {
      config: { public: true },
      schema: {
        tags: ['members'],
        summary:
          'What a Confirm email address link is: the workspace, the current and the new address, its state (public: the token is the secret)',
        params: z.strictObject({ token: Token }),
        response: {
          200: z.object({
            state: z.enum(['pending', 'confirmed', 'expired', 'cancelled']),
            workspace: WorkspaceRef,
            displayName: z.string(),
            currentEmail: z.string(),
            newEmail: z.string(),
            expiresAt: z.string(),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => lookupEmailChange(app.db, app.clock, request.params.token),
  );

  app.post(
    '/email-changes/confirm',
    {
      config: { public: true },
      schema: {
        tags: ['members'],
        summary:
          '**Confirm email address**: the new address becomes the email and the username; every session of the person ends (password, MFA and passkeys stay)',
        body: z.strictObject({ token: Token }),
        response: {
          200: z.object({ workspace: WorkspaceRef, email: z.string() }),
          ...problemResponses(400, 404, 409, 410),
        },
      },
    },
    async (request) =>
      app.unitOfWork.run((tx) => confirmEmailChange(tx, app.clock, request.body.token, requestContext(request))),
  );
};

export default memberEmailRoutes;
