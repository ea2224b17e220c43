import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, notFound } from '../../domain/errors.js';
import { isWorkspaceAdmin } from '../../domain/roles.js';
import { openMailBody } from '../../mail/outbox.js';
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
      if (!isWorkspaceAdmin(actor.role))
        throw forbidden('Only the workspace owner and admins can see the development outbox.');
      const rows = await app.db
        .selectFrom('outbox')
        .select(['id', 'recipient', 'subject', 'sealed_body', 'state', 'created_at'])
        .where('workspace_id', '=', actor.workspaceId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(LIMIT)
        .execute();
      return {
        messages: await Promise.all(
          rows.map(async (row) => {
            let body: { text: string; html: string } | null = null;
            if (row.sealed_body) {
              try {
                body = await openMailBody(
                  app.db,
                  { masterKey: app.masterKey, keyring: app.keyring },
                  actor.workspaceId,
                  row.id,
                  row.sealed_body,
                );
              } catch {
                body = null;
              }
            }
            return {
              id: row.id,
              to: row.recipient,
              subject: row.subject,
              text: body?.text ?? null,
              html: body?.html ?? null,
              state: row.state,
              createdAt: new Date(row.created_at).toISOString(),
            };
          }),
        ),
      };
    },
  );
};

export default devOutboxRoutes;
