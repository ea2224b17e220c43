import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { transferOwnership } from '../../services/workspace-ownership.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses, UserView } from '../schemas.js';

/** **Transfer workspace ownership** (SPEC §2a, issue 11): the owner, identity confirmed, to an active admin. */
const workspaceOwnershipRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/workspace/transfer-ownership',
    {
      config: { confirmIdentity: true },
      schema: {
        tags: ['workspace'],
        summary:
          '**Transfer workspace ownership** (owner only, identity confirmed): an active admin becomes the owner and the owner an admin; both are emailed',
        body: z.strictObject({ userId: z.uuid({ error: 'Choose an active admin.' }) }),
        response: {
          200: z.object({ previousOwner: UserView, newOwner: UserView }),
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return app.unitOfWork.run((tx) =>
        transferOwnership(
          tx,
          { masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl },
          actor,
          request.body.userId,
          requestContext(request),
        ),
      );
    },
  );
};

export default workspaceOwnershipRoutes;
