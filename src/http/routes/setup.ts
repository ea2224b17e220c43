import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { conflict } from '../../domain/errors.js';
import { countWorkspaces, createWorkspace, prepareOwnerPassword } from '../../services/workspaces.js';
import { openSession } from '../../services/sessions/open-session.js';
import { meForNewToken } from './auth.js';
import { requestContext } from '../context.js';
import { DisplayName, Email, Me, Password, problemResponses, Slug } from '../schemas.js';

const alreadySetUp = () => conflict('already-set-up', 'This Gatehouse already has a workspace. Sign in instead.');

/** First run: while no workspace exists, anyone reaching the server may create the first one. */
const setupRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/setup',
    {
      config: { public: true },
      schema: {
        tags: ['setup'],
        summary: 'Whether first-run set-up is needed',
        response: { 200: z.object({ needsSetup: z.boolean() }) },
      },
    },
    async () => ({ needsSetup: (await countWorkspaces(app.db)) === 0 }),
  );

  app.post(
    '/setup',
    {
      config: { public: true },
      schema: {
        tags: ['setup'],
        summary: 'Create the first workspace and its owner, and sign the owner in',
        body: z.strictObject({
          workspaceName: DisplayName,
          slug: Slug,
          displayName: DisplayName,
          email: Email,
          password: Password,
          /** How members sign in; `idp` needs the OpenID Connect issuer and client id (the secret comes later). */
          mode: z.enum(['local', 'idp'], { error: 'Use local or idp.' }).optional(),
          idp: z
            .strictObject({
              issuer: z.string().trim().max(500, { error: 'Use at most 500 characters.' }),
              clientId: z.string().trim().max(255, { error: 'Use at most 255 characters.' }),
            })
            .optional(),
        }),
        response: { 201: Me, ...problemResponses(400, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      if ((await countWorkspaces(app.db)) > 0) throw alreadySetUp();
      const body = request.body;
      const input = {
        slug: body.slug,
        name: body.workspaceName,
        owner: { email: body.email, displayName: body.displayName, password: body.password },
        ...(body.mode === 'idp' ? { mode: 'idp' as const, idp: body.idp ?? { issuer: '', clientId: '' } } : {}),
      };
      const passwordHash = await prepareOwnerPassword(input);
      const context = requestContext(request);
      const { token } = await app.unitOfWork.run(async (tx) => {
        // Re-checked inside the transaction under a lock, so two racing set-ups cannot both win.
        await sql`LOCK TABLE workspaces IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
        if ((await countWorkspaces(tx)) > 0) throw alreadySetUp();
        const created = await createWorkspace(tx, input, passwordHash, context);
        const token = await openSession(tx, app.clock, created.owner.id, created.workspace.id, context);
        return { created, token };
      });
      reply.setSessionCookie(token);
      return reply.status(201).send(await meForNewToken(app, request, token));
    },
  );
};

export default setupRoutes;
