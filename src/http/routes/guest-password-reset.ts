import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resetGuestPassword } from '../../services/guest-password-reset.js';
import { newTemporaryCredential } from '../../services/invitations/credentials.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

const MemberParams = z.strictObject({
  partnerId: z.uuid({ error: 'Not a valid partner id.' }),
  userId: z.uuid({ error: 'Not a valid user id.' }),
});

/** **Reset password** for a guest (SPEC §2a), from the partner member page. */
const guestPasswordResetRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/partners/:partnerId/members/:userId/reset-password',
    {
      schema: {
        tags: ['partners'],
        summary: 'Reset password: a new temporary password is emailed to the guest, and every session of theirs ends',
        description:
          "Host admins (and workspace owners and admins) for the partner's guests, guest admins for its guest users; never oneself. Only an active guest (an invited one gets Resend invitation instead). The temporary password goes to the guest by email only; at their next sign-in they pass their second factor and then choose a new password.",
        params: MemberParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      // argon2 before the transaction opens, so no lock is held through it.
      const credential = await newTemporaryCredential();
      await app.unitOfWork.run((tx) =>
        resetGuestPassword(
          tx,
          { masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl },
          actor,
          request.params.partnerId,
          request.params.userId,
          credential,
          requestContext(request),
        ),
      );
      return reply.status(204).send(null);
    },
  );
};

export default guestPasswordResetRoutes;
