import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lookupInvitationLink } from '../../services/invitations/invitation-link.js';
import { invitationPartnerId } from '../../services/invitations/manageable-invitation.js';
import { resendInvitation } from '../../services/invitations/resend-invitation.js';
import { revokeInvitation } from '../../services/invitations/revoke-invitation.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

const InvitationParams = z.strictObject({ invitationId: z.uuid({ error: 'Not a valid invitation id.' }) });

const invitationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/invitations/by-token/:token',
    {
      config: { public: true },
      schema: {
        tags: ['invitations'],
        summary: 'What a Join as a guest link leads to (public: the token is the secret)',
        params: z.strictObject({
          token: z
            .string()
            .min(20)
            .max(100)
            .regex(/^[A-Za-z0-9_-]+$/, { error: 'Not a valid invitation link.' }),
        }),
        response: {
          200: z.object({
            state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
            workspace: z.object({ slug: z.string(), name: z.string() }),
            username: z.string(),
            partnerName: z.string(),
            invitedBy: z.string().nullable(),
            expiresAt: z.string(),
            resendBy: z.array(z.string()),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => lookupInvitationLink(app.db, request.params.token),
  );

  app.post(
    '/invitations/:invitationId/resend',
    {
      schema: {
        tags: ['invitations'],
        summary: 'Resend invitation: a new temporary password (the old one is void) and a new expiry',
        params: InvitationParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      // A resend is a new mail: it counts against the partner's limit as well as the sender's.
      const partnerId = await invitationPartnerId(app.db, actor, request.params.invitationId);
      await app.attempts.withinInvitationLimits({ inviterId: actor.userId, partnerId }, () =>
        app.unitOfWork.run((tx) =>
          resendInvitation(
            tx,
            actor,
            request.params.invitationId,
            { masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl },
            requestContext(request),
          ),
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations/:invitationId/revoke',
    {
      schema: {
        tags: ['invitations'],
        summary: 'Revoke a pending invitation',
        params: InvitationParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        revokeInvitation(tx, actor, request.params.invitationId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );
};

export default invitationRoutes;
