import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createScimToken, listScimTokens, revokeScimToken } from '../../services/scim/tokens.js';
import { requestContext, requireSession } from '../context.js';
import { NameText, problemResponses } from '../schemas.js';

/** **SCIM tokens** on Workspace settings (SPEC §2b): the identity provider's keys to /scim/v2. */
const ScimToken = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

const scimTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/workspace/scim-tokens',
    {
      schema: {
        tags: ['workspace'],
        summary: 'SCIM tokens that are not revoked: name, created, last used (owner and admins)',
        response: { 200: z.object({ tokens: z.array(ScimToken), scimUrl: z.string() }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({
      tokens: await listScimTokens(app.db, requireSession(request).actor),
      scimUrl: `${app.config.publicUrl.toString().replace(/\/$/, '')}/scim/v2`,
    }),
  );

  app.post(
    '/workspace/scim-tokens',
    {
      // A token can make admins: the owner confirms who they are, as for Transfer workspace ownership.
      config: { confirmIdentity: true },
      schema: {
        tags: ['workspace'],
        summary:
          'Create a SCIM token for the identity provider (the owner, identity confirmed); the token is shown only here, once',
        body: z.strictObject({ name: NameText('Token names', { requiredMessage: 'Name the token, e.g. Okta.' }) }),
        response: {
          201: z.object({ token: z.string(), scimToken: ScimToken }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const created = await app.unitOfWork.run((tx) =>
        createScimToken(tx, actor, request.body.name, requestContext(request)),
      );
      return reply.code(201).send({ token: created.token, scimToken: created.view });
    },
  );

  app.delete(
    '/workspace/scim-tokens/:tokenId',
    {
      schema: {
        tags: ['workspace'],
        summary: 'Revoke a SCIM token: the identity provider’s next call with it is refused (owner and admins)',
        params: z.object({ tokenId: z.uuid({ error: 'Not a SCIM token id.' }) }),
        response: { 204: z.null(), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) => revokeScimToken(tx, actor, request.params.tokenId, requestContext(request)));
      return reply.code(204).send(null);
    },
  );
};

export default scimTokenRoutes;
