import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lookupResetLink, requestPasswordReset, resetPassword } from '../../services/password-reset.js';
import { requestContext } from '../context.js';
import { Password, PRINTABLE_TEXT, ProblemSchema, problemResponses, Slug } from '../schemas.js';

const ResetToken = z
  .string()
  .min(20, { error: 'Not a valid reset link.' })
  .max(100, { error: 'Not a valid reset link.' })
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'Not a valid reset link.' });

/** `reset-link-invalid`: `state` says why the link cannot be used. */
const ResetLinkProblem = ProblemSchema.extend({
  state: z.enum(['expired', 'used', 'unknown']).optional().describe('reset-link-invalid: why the link cannot be used'),
});

const SENT =
  'If an account with this address exists, we sent a link to choose a new password. It works for 30 minutes. Check your inbox and spam folder.';

/** **Forgot your password?** (SPEC §2a): public routes; the reset token is the secret. */
const passwordResetRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = () => ({
    attempts: app.attempts,
    clock: app.clock,
    masterKey: app.masterKey,
    keyring: app.keyring,
    publicUrl: app.config.publicUrl,
  });

  app.post(
    '/auth/forgot-password',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          '**Send reset link**: always 202 with the same message, whether or not the address has an account (a link is mailed only to an active local user or guest)',
        body: z.strictObject({
          workspace: Slug,
          email: z
            .string()
            .trim()
            .min(1, { error: 'Enter your email address.' })
            .max(320)
            .regex(PRINTABLE_TEXT, { error: 'Email addresses cannot contain control characters.' })
            .describe('Email address or username'),
        }),
        response: { 202: z.object({ message: z.string() }), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(
        app.unitOfWork,
        deps(),
        { workspaceSlug: request.body.workspace, email: request.body.email },
        requestContext(request),
      );
      return reply.status(202).send({ message: SENT });
    },
  );

  app.get(
    '/auth/reset-password/:token',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'What a reset link leads to: valid, expired or used, with the workspace and its password policy',
        params: z.strictObject({ token: ResetToken }),
        response: {
          200: z.object({
            state: z.enum(['valid', 'expired', 'used']),
            workspace: z.object({ slug: z.string(), name: z.string() }),
            username: z.string(),
            policy: z.object({
              minLength: z.number(),
              rules: z.array(z.object({ id: z.string(), label: z.string() })),
            }),
          }),
          ...problemResponses(400),
          410: ResetLinkProblem,
        },
      },
    },
    async (request) => lookupResetLink(app.db, app.clock, request.params.token),
  );

  app.post(
    '/auth/reset-password',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          'Choose a new password with a reset link: every session of the person ends; nobody is signed in (the next sign-in still asks the second factor)',
        body: z.strictObject({
          token: ResetToken,
          newPassword: Password,
          newPasswordAgain: z.string().max(1024),
        }),
        response: { 204: z.null(), ...problemResponses(400, 422), 410: ResetLinkProblem },
      },
    },
    async (request, reply) => {
      await resetPassword(app.unitOfWork, deps(), request.body, requestContext(request));
      return reply.status(204).send(null);
    },
  );
};

export default passwordResetRoutes;
