import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listActivity } from '../../services/activity.js';
import { requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

export const EventView = z.object({
  id: z.uuid(),
  occurredAt: z.string(),
  action: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

const activityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        summary: "The workspace's activity log, newest first (owner and admins)",
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: z.object({ events: z.array(EventView) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return { events: await listActivity(app.db, actor, request.query.limit) };
    },
  );
};

export default activityRoutes;
