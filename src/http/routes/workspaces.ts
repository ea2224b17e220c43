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
      // Public, and open to a half-finished first sign-in too (the waiting and sign-in pages use it).
      config: { public: true },
      schema: {
        tags: ['workspaces'],
        summary: "Find a workspace by its URL name (Let's find your workspace)",
        params: z.strictObject({ slug: Slug }),
        response: {
          200: z.object({
            slug: z.string(),
            name: z.string(),
            mode: z.enum(['local', 'idp']),
            redirectSeconds: z
              .number()
              .int()
              .nullable()
              .describe(
                'idp mode: seconds the waiting page counts down before it sends members to the IdP; null in local mode',
              ),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => {
      const workspace = await findWorkspaceBySlug(app.db, request.params.slug);
      if (!workspace) throw notFound('Workspace', `No workspace is named "${request.params.slug}".`);
      return {
        slug: workspace.slug,
        name: workspace.name,
        mode: workspace.mode,
        redirectSeconds: workspace.mode === 'idp' ? workspace.idp_redirect_seconds : null,
      };
    },
  );
};

export default workspaceRoutes;
