import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ASSIGNABLE_MEMBER_ROLES } from '../../domain/roles.js';
import { addMember, listMembers, prepareMemberPassword } from '../../services/members.js';
import { requestContext, requireSession } from '../context.js';
import { DisplayName, Email, Password, problemResponses, UserView } from '../schemas.js';

const MemberView = UserView.extend({
  mfa: z.object({ totp: z.boolean(), passkeys: z.number().int() }),
  lastSignInAt: z.string().nullable(),
  /** What the viewer may do to this member, from the same policy the server enforces. */
  permissions: z.object({ resetMfa: z.boolean() }),
});

const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/members',
    {
      schema: {
        tags: ['members'],
        summary: "List the workspace's members (owner, admins, members)",
        response: { 200: z.object({ members: z.array(MemberView) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ members: await listMembers(app.db, requireSession(request).actor) }),
  );

  app.post(
    '/members',
    {
      schema: {
        tags: ['members'],
        summary: 'Add a member with an initial password (owner and admins only)',
        body: z.strictObject({
          email: Email,
          displayName: DisplayName,
          role: z.enum(ASSIGNABLE_MEMBER_ROLES, { error: 'Choose admin or member.' }),
          password: Password,
        }),
        response: { 201: UserView, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const passwordHash = await prepareMemberPassword(actor, request.body);
      const member = await app.unitOfWork.run((tx) =>
        addMember(tx, actor, request.body, passwordHash, requestContext(request)),
      );
      return reply.status(201).send(member);
    },
  );
};

export default memberRoutes;
