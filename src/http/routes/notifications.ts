import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../domain/notifications.js';
import { listOwnNotificationPreferences, updateOwnNotificationPreferences } from '../../services/notifications.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

const NotificationKindSchema = z.enum(NOTIFICATION_KINDS, { error: 'Not a notification this workspace sends.' });

const PreferenceSchema = z.object({
  kind: NotificationKindSchema,
  label: z.string(),
  description: z.string(),
  security: z.boolean().describe('About your security: always sent, cannot be turned off'),
  enabled: z.boolean(),
});

const PreferencesResponse = z.object({ notifications: z.array(PreferenceSchema) });

/** The person's own **Notifications** (SPEC §8a): which emails they get; security mail is always on. */
const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me/notifications',
    {
      schema: {
        tags: ['auth'],
        summary: 'Your email notifications: each kind, whether it is on, and whether it is about your security',
        response: { 200: PreferencesResponse, ...problemResponses(401, 403) },
      },
    },
    async (request) => ({
      notifications: await listOwnNotificationPreferences(app.db, requireSession(request).actor),
    }),
  );

  app.put(
    '/me/notifications',
    {
      schema: {
        tags: ['auth'],
        summary: 'Turn your email notifications on or off (security notifications cannot be turned off)',
        body: z.strictObject({
          notifications: z
            .array(z.strictObject({ kind: NotificationKindSchema, enabled: z.boolean() }))
            .min(1, { error: 'Choose at least one notification.' })
            .max(NOTIFICATION_KINDS.length * 2),
        }),
        response: { 200: PreferencesResponse, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const notifications = await app.unitOfWork.run((tx) =>
        updateOwnNotificationPreferences(tx, actor, request.body.notifications, requestContext(request)),
      );
      return { notifications };
    },
  );
};

export default notificationRoutes;
