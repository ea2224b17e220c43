import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import {
  acceptTerms,
  currentTerms,
  listTermsVersions,
  publishTermsAsAdmin,
  toTermsView,
} from '../../services/terms.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses, readsAsWritten } from '../schemas.js';

const TermsSchema = z.object({
  version: z.number().int(),
  body: z.string(),
  bodySha256: z.string(),
  publishedAt: z.string(),
});

const termsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/terms/current',
    {
      config: { allowWhile: ['terms'] },
      schema: {
        tags: ['terms'],
        summary: "The workspace's current terms of service and whether you accepted them",
        response: { 200: TermsSchema.extend({ accepted: z.boolean() }), ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const terms = await currentTerms(app.db, session.workspace.id);
      if (!terms) throw notFound('Terms of service', 'This workspace has no terms of service.');
      return { ...toTermsView(terms), accepted: !session.pending.terms };
    },
  );

  app.post(
    '/terms/accept',
    {
      config: { allowWhile: ['terms'] },
      schema: {
        tags: ['terms'],
        summary: 'Accept the current terms of service (the version you were shown)',
        body: z.strictObject({ version: z.number().int().min(1) }),
        response: { 204: z.null(), ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) => acceptTerms(tx, actor, request.body, requestContext(request)));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/terms',
    {
      schema: {
        tags: ['terms'],
        summary: 'Every published version, newest first (owner and admins)',
        response: {
          200: z.object({ versions: z.array(TermsSchema.extend({ acceptances: z.number() })) }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => ({ versions: await listTermsVersions(app.db, requireSession(request).actor) }),
  );

  app.post(
    '/terms',
    {
      schema: {
        tags: ['terms'],
        summary: 'Publish a new version; everyone must accept it again (owner and admins)',
        body: z.strictObject({
          body: z
            .string()
            .trim()
            .min(1, { error: 'Enter the terms text.' })
            .max(100_000, { error: 'Use at most 100,000 characters.' })
            .superRefine(readsAsWritten('The terms text', { multiline: true })),
        }),
        response: { 201: TermsSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const published = await app.unitOfWork.run((tx) =>
        publishTermsAsAdmin(tx, actor, request.body.body, requestContext(request)),
      );
      return reply.status(201).send(published);
    },
  );
};

export default termsRoutes;
