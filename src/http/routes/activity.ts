import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ACTIVITY_GROUPS, type ActivityGroup } from '../../domain/activity-events.js';
import { allActivity, CSV_COLUMNS, csvRow, queryActivity, type ActivityFilters } from '../../services/activity-log.js';
import { checkChainSinceCheckpoint } from '../../services/activity-chain.js';
import { requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

export const EventView = z.object({
  id: z.uuid(),
  occurredAt: z.string(),
  action: z.string(),
  group: z.enum(ACTIVITY_GROUPS).nullable(),
  /** The event as a sentence with names, e.g. "Gina Guest passed Instagram on to Gus User." */
  summary: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorEmail: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  partnerId: z.string().nullable(),
  partnerName: z.string().nullable(),
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

const Filters = {
  from: z.iso.datetime({ offset: true }).optional().describe('Events at or after this time (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Events before this time (ISO 8601)'),
  type: z
    .string()
    .max(200)
    .optional()
    .describe(`Event types, comma-separated: ${ACTIVITY_GROUPS.join(', ')}`)
    .refine((value) => !value || value.split(',').every((g) => (ACTIVITY_GROUPS as readonly string[]).includes(g)), {
      message: `Use event types from: ${ACTIVITY_GROUPS.join(', ')}.`,
    }),
  person: z.uuid().optional().describe('Events by or about this person'),
  account: z.uuid().optional().describe('Events about this account'),
  partner: z.uuid().optional().describe('Events about this partner'),
};

function filtersOf(query: {
  from?: string;
  to?: string;
  type?: string;
  person?: string;
  account?: string;
  partner?: string;
}): ActivityFilters {
  return {
    ...(query.from ? { from: new Date(query.from) } : {}),
    ...(query.to ? { to: new Date(query.to) } : {}),
    ...(query.type ? { groups: query.type.split(',') as ActivityGroup[] } : {}),
    ...(query.person ? { personId: query.person } : {}),
    ...(query.account ? { accountId: query.account } : {}),
    ...(query.partner ? { partnerId: query.partner } : {}),
  };
}

const ChainProblemView = z.object({
  kind: z.enum(['edited', 'missing', 'moved', 'unsigned']),
  eventId: z.string(),
  seq: z.string(),
  position: z.string().nullable(),
  occurredAt: z.string(),
  action: z.string(),
  message: z.string(),
});

const activityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/activity/chain',
    {
      schema: {
        tags: ['activity'],
        summary:
          "Whether the workspace's activity log verifies: checks what was added since the last check (owner and admins)",
        response: {
          200: z.object({
            verifies: z.boolean(),
            verifiedThrough: z.string().nullable(),
            checkedAt: z.string(),
            pending: z.number().int(),
            problem: ChainProblemView.nullable(),
          }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return checkChainSinceCheckpoint(app.unitOfWork, app.keyring, actor);
    },
  );

  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        summary:
          'The activity log as this person may see it (SPEC §8: admins all; members their own, their accounts and partners; guests their own), newest first, by cursor',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          cursor: z.string().max(100).optional().describe('The nextCursor of the previous page'),
          ...Filters,
        }),
        response: {
          200: z.object({ events: z.array(EventView), nextCursor: z.string().nullable() }),
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const { limit, cursor, ...filters } = request.query;
      return queryActivity(app.db, actor, filtersOf(filters), { limit, ...(cursor ? { cursor } : {}) });
    },
  );

  app.get(
    '/activity/export.csv',
    {
      schema: {
        tags: ['activity'],
        summary: 'Every event this person may see that matches the filters, as CSV (streamed, newest first)',
        querystring: z.strictObject(Filters),
        produces: ['text/csv'],
        response: { 200: z.unknown().describe('CSV, one row per event'), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const rows = allActivity(app.db, actor, filtersOf(request.query));
      async function* lines() {
        yield `${CSV_COLUMNS.join(',')}\r\n`;
        for await (const entry of rows) yield csvRow(entry);
      }
      const day = new Date().toISOString().slice(0, 10);
      void reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="gatehouse-activity-${day}.csv"`);
      return reply.send(Readable.from(lines()));
    },
  );
};

export default activityRoutes;
