import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { findWorkspaceBySlug } from '../../services/workspaces.js';
import { problemResponses, Slug } from '../schemas.js';

/** Public facts a sign-in page needs: the display name and how members sign in. */
const workspaceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/workspaces/:slug',
    {
      schema: {
        tags: ['workspaces'],
        summary: "Find a workspace by its URL name (Let's find your workspace)",
        params: z.strictObject({ slug: Slug }),
        response: {
          200: z.object({ slug: z.string(), name: z.string(), mode: z.enum(['local', 'idp']) }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => {
      const workspace = await findWorkspaceBySlug(app.db, request.params.slug);
      if (!workspace) throw notFound('Workspace', `No workspace is named "${request.params.slug}".`);
      return { slug: workspace.slug, name: workspace.name, mode: workspace.mode };
    },
  );
};

export default workspaceRoutes;
