import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { readDevOutbox } from '../../services/dev-outbox.js';
import { requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

const DevOutboxMessage = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  /** Null once the body is gone (a cancelled message) or cannot be opened with this master key. */
  text: z.string().nullable(),
  html: z.string().nullable(),
  state: z.enum(['pending', 'sent', 'failed', 'cancelled']),
  createdAt: z.string(),
});

/** How many recent messages the page shows. */
const LIMIT = 100;

/**
 * The development outbox: with no GATEHOUSE_SMTP_URL nothing is sent, and the workspace's owner and
 * admins read the mail here instead (including temporary passwords, which is why it exists only then).
 */
const devOutboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/dev/outbox',
    {
      schema: {
        tags: ['development'],
        summary: "The workspace's mail, newest first, when no SMTP server is configured (owner and admins)",
        response: { 200: z.object({ messages: z.array(DevOutboxMessage) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      if (!app.mail.devOutbox) {
        throw notFound('Development outbox', 'The development outbox exists only when no SMTP server is configured.');
      }
      const { actor } = requireSession(request);
      const keys = { masterKey: app.masterKey, keyring: app.keyring };
      return { messages: await readDevOutbox(app.db, keys, actor, LIMIT) };
    },
  );
};

export default devOutboxRoutes;
