import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { signIn, signOut } from '../../services/sessions.js';
import { toUserView, toWorkspaceView } from '../../services/users.js';
import { requestContext, requireSession } from '../context.js';
import { Me, problemResponses, Slug } from '../schemas.js';

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/auth/csrf',
    {
      schema: {
        tags: ['auth'],
        summary: 'Get a CSRF token to send as x-csrf-token on every state-changing call',
        response: { 200: z.object({ token: z.string() }) },
      },
    },
    async (_request, reply) => ({ token: reply.generateCsrf() }),
  );

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password',
        body: z.strictObject({
          workspace: Slug,
          username: z.string().trim().min(1, { error: 'Enter your username.' }).max(320),
          password: z.string().min(1, { error: 'Enter your password.' }).max(1024),
        }),
        response: { 200: Me, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { workspace, username, password } = request.body;
      const previous = request.cookies[app.sessionCookieName];
      const signedIn = await signIn(app.db, { workspaceSlug: workspace, username, password }, requestContext(request), previous);
      reply.setSessionCookie(signedIn.token);
      return { user: toUserView(signedIn.user), workspace: toWorkspaceView(signedIn.workspace) };
    },
  );

  app.post(
    '/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null(), ...problemResponses(401, 403) } } },
    async (request, reply) => {
      const session = requireSession(request);
      await app.db.transaction().execute((tx) => signOut(tx, session, requestContext(request)));
      reply.clearSessionCookie();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/session',
    { schema: { tags: ['auth'], summary: 'The signed-in user and workspace', response: { 200: Me, ...problemResponses(401) } } },
    async (request) => {
      const session = requireSession(request);
      return { user: toUserView(session.user), workspace: toWorkspaceView(session.workspace) };
    },
  );
};

export default authRoutes;
