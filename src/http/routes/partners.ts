import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPartner, getPartner, listPartners, removePartner, renamePartner } from '../../services/partners.js';
import {
  assignHostAdmin,
  changeGuestRole,
  getPartnerMember,
  removeGuest,
  removeHostAdmin,
} from '../../services/partner-members.js';
import {
  invalidAddress,
  inviteGuestUsers,
  MAX_INVITATIONS_PER_REQUEST,
  type GuestInvitationOutcome,
} from '../../services/bulk-invitations.js';
import type { Actor } from '../../domain/actor.js';
import { requestContext, requireSession } from '../context.js';
import { problemType } from '../problems.js';
import { Email, EndMoment, NameText, ProblemSchema, problemResponses } from '../schemas.js';
import { setGuestAccessEnd } from '../../services/access-ends.js';

const PartnerRoleSchema = z.enum(['host_admin', 'guest_admin', 'guest_user']);
const GuestRoleSchema = z.enum(['guest_admin', 'guest_user'], { error: 'Choose guest_admin or guest_user.' });
const PartnerName = NameText('Company names', { requiredMessage: 'Enter the company name.' });
const PartnerParams = z.strictObject({ partnerId: z.uuid({ error: 'Not a valid partner id.' }) });
const MemberParams = z.strictObject({
  partnerId: z.uuid({ error: 'Not a valid partner id.' }),
  userId: z.uuid({ error: 'Not a valid user id.' }),
});

const DeliverySchema = z.object({
  state: z.enum(['queued', 'sent', 'retrying', 'failed', 'cancelled']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  sentAt: z.string().nullable(),
});

const PartnerDetailSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  myRole: PartnerRoleSchema.nullable(),
  permissions: z.object({
    rename: z.boolean(),
    manageHostAdmins: z.boolean(),
    inviteGuests: z.boolean(),
    manageInvitations: z.boolean(),
    changeGuestRoles: z.boolean(),
    removeGuestAdmins: z.boolean(),
    removeGuestUsers: z.boolean(),
    remove: z.boolean(),
    shareAccounts: z.boolean(),
    removeAccounts: z.boolean(),
    setGuestAccessEnd: z.boolean().describe("**Guest access ends on**: set or clear when a guest's access ends"),
  }),
  members: z.array(
    z.object({
      userId: z.uuid(),
      email: z.string(),
      displayName: z.string(),
      partnerRole: PartnerRoleSchema,
      status: z.enum(['invited', 'active', 'deactivated']),
      joinedAt: z.string().nullable(),
      accessEndsAt: z.string().nullable().describe('**Guest access ends on** (ISO 8601), or null'),
      invitation: z
        .object({
          id: z.uuid(),
          state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
          expiresAt: z.string(),
          timesSent: z.number(),
          delivery: DeliverySchema.nullable(),
        })
        .nullable(),
    }),
  ),
  createdAt: z.string(),
});

const InvitationResultsSchema = z.object({
  results: z.array(
    z.object({
      email: z.string(),
      status: z.enum(['invited', 'refused']),
      invitation: z
        .object({
          id: z.uuid(),
          userId: z.uuid(),
          role: GuestRoleSchema,
          state: z.literal('pending'),
          expiresAt: z.string(),
        })
        .optional()
        .describe('The invitation created (not given to guest admins)'),
      problem: ProblemSchema.optional().describe('Why this address was refused'),
    }),
  ),
});

/**
 * One address's result. A guest admin is answered alike for an invitation made and one withheld (SPEC: a
 * guest admin must not learn that the address is a member or another partner's guest), so guests get no
 * invitation ids at all.
 */
function invitationResult(
  actor: Actor,
  outcome: GuestInvitationOutcome,
): z.infer<typeof InvitationResultsSchema>['results'][number] {
  if (outcome.refused) {
    const { type, status, title, message, errors } = outcome.refused;
    return {
      email: outcome.email,
      status: 'refused',
      problem: { type: problemType(type), title, status, detail: message, ...(errors ? { errors } : {}) },
    };
  }
  const invited = outcome.invited;
  if (actor.role === 'guest' || !invited) return { email: outcome.email, status: 'invited' };
  return {
    email: outcome.email,
    status: 'invited',
    invitation: {
      id: invited.invitationId,
      userId: invited.userId,
      role: invited.role,
      state: 'pending',
      expiresAt: invited.expiresAt.toISOString(),
    },
  };
}

const partnerRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = () => ({ masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl });

  app.get(
    '/partners',
    {
      schema: {
        tags: ['partners'],
        summary: 'Partners the signed-in user can see (all of them for workspace admins)',
        response: {
          200: z.object({
            partners: z.array(
              z.object({
                id: z.uuid(),
                name: z.string(),
                myRole: PartnerRoleSchema.nullable(),
                hostAdmins: z.array(z.string()),
                guestCount: z.number(),
                createdAt: z.string(),
              }),
            ),
          }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => ({ partners: await listPartners(app.db, requireSession(request).actor) }),
  );

  app.post(
    '/partners',
    {
      schema: {
        tags: ['partners'],
        summary: 'Add partner: create it with its hosts and invite its first guest admin (Send Invite)',
        body: z.strictObject({
          name: PartnerName,
          guestAdminEmail: Email,
          hostAdminIds: z.array(z.uuid({ error: 'Not a valid user id.' })).max(50),
        }),
        response: { 201: PartnerDetailSchema, ...problemResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const created = await app.attempts.withinInvitationLimits({ inviterId: actor.userId, partnerId: null }, () =>
        app.unitOfWork.run((tx) => createPartner(tx, actor, request.body, deps(), requestContext(request))),
      );
      return reply.status(201).send(await getPartner(app.db, actor, created.partnerId));
    },
  );

  app.get(
    '/partners/:partnerId',
    {
      schema: {
        tags: ['partners'],
        summary: 'A partner with its members, their invitations and what you may do',
        params: PartnerParams,
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getPartner(app.db, requireSession(request).actor, request.params.partnerId),
  );

  app.patch(
    '/partners/:partnerId',
    {
      schema: {
        tags: ['partners'],
        summary: 'Rename the partner (host admins)',
        params: PartnerParams,
        body: z.strictObject({ name: PartnerName }),
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        renamePartner(tx, actor, request.params.partnerId, request.body.name, requestContext(request)),
      );
      return getPartner(app.db, actor, request.params.partnerId);
    },
  );

  app.delete(
    '/partners/:partnerId',
    {
      // Removing a partner is a sensitive action (SPEC §5): a second factor within the last five minutes.
      config: { confirmIdentity: true },
      schema: {
        tags: ['partners'],
        summary: 'Remove partner: its guests are deactivated and its shares end (host admins)',
        params: PartnerParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) => removePartner(tx, actor, request.params.partnerId, requestContext(request)));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/partners/:partnerId/host-admins',
    {
      schema: {
        tags: ['partners'],
        summary: 'Assign partnership host',
        params: PartnerParams,
        body: z.strictObject({ userId: z.uuid({ error: 'Not a valid user id.' }) }),
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        assignHostAdmin(tx, actor, request.params.partnerId, request.body.userId, requestContext(request)),
      );
      return getPartner(app.db, actor, request.params.partnerId);
    },
  );

  app.delete(
    '/partners/:partnerId/host-admins/:userId',
    {
      schema: {
        tags: ['partners'],
        summary: 'Remove a partnership host (one always stays)',
        params: MemberParams,
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeHostAdmin(tx, actor, request.params.partnerId, request.params.userId, requestContext(request)),
      );
      return getPartner(app.db, actor, request.params.partnerId);
    },
  );

  app.post(
    '/partners/:partnerId/guests',
    {
      schema: {
        tags: ['partners'],
        summary: 'Invite guest users (host admins and guest admins): one address, or several at once',
        description:
          'With `email`, one invitation: 201 with its result, or the problem that refused it. With `emails` ' +
          `(1–${MAX_INVITATIONS_PER_REQUEST}), each address is invited or refused on its own, with its own ` +
          'allowance and transaction: 200 with one result per address, in the order given. Guest admins get ' +
          'no invitation ids in the results.',
        params: PartnerParams,
        body: z
          .strictObject({
            email: Email.optional(),
            emails: z
              .array(z.string().max(1000, { error: 'An address has at most 254 characters.' }))
              .min(1, { error: 'Enter at least one email address.' })
              .max(MAX_INVITATIONS_PER_REQUEST, {
                error: `Invite at most ${MAX_INVITATIONS_PER_REQUEST} people at once.`,
              })
              .optional(),
            accessEndsAt: EndMoment('**Guest access ends on** (host admins), for every address'),
          })
          .refine((body) => (body.email === undefined) !== (body.emails === undefined), {
            error: 'Send either email or emails.',
            path: ['email'],
          }),
        response: {
          200: InvitationResultsSchema,
          201: InvitationResultsSchema,
          ...problemResponses(400, 401, 403, 404, 409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const { email, emails } = request.body;
      const addresses =
        email !== undefined
          ? [{ email }]
          : (emails ?? []).map((text) => {
              const parsed = Email.safeParse(text.trim());
              return parsed.success
                ? { email: parsed.data }
                : {
                    email: text,
                    refused: invalidAddress(parsed.error.issues[0]?.message ?? 'Enter a valid email address.'),
                  };
            });
      const outcomes = await inviteGuestUsers(
        app,
        actor,
        request.params.partnerId,
        addresses,
        deps(),
        requestContext(request),
        request.body.accessEndsAt,
      );
      // One address: refused is answered as before, with the problem's own status.
      if (email !== undefined && outcomes[0]?.refused) throw outcomes[0].refused;
      const results = outcomes.map((outcome) => invitationResult(actor, outcome));
      return reply.status(email !== undefined ? 201 : 200).send({ results });
    },
  );

  app.get(
    '/partners/:partnerId/members/:userId',
    {
      schema: {
        tags: ['partners'],
        summary: 'View details of a partner member: who they are and the accounts they can use',
        params: MemberParams,
        response: {
          200: z.object({
            userId: z.uuid(),
            email: z.string(),
            displayName: z.string(),
            partnerRole: z.string(),
            status: z.string(),
            permissions: z.object({
              resetMfa: z.boolean(),
              resetPassword: z
                .boolean()
                .describe('Reset password: an active guest, and the viewer may reset their password'),
            }),
          }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) =>
      getPartnerMember(app.db, requireSession(request).actor, request.params.partnerId, request.params.userId),
  );

  app.patch(
    '/partners/:partnerId/guests/:userId',
    {
      schema: {
        tags: ['partners'],
        summary: "Change a guest's partner role (guest user ↔ guest admin)",
        params: MemberParams,
        body: z.strictObject({ role: GuestRoleSchema }),
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        changeGuestRole(
          tx,
          actor,
          request.params.partnerId,
          request.params.userId,
          request.body.role,
          requestContext(request),
        ),
      );
      return getPartner(app.db, actor, request.params.partnerId);
    },
  );

  app.delete(
    '/partners/:partnerId/guests/:userId',
    {
      schema: {
        tags: ['partners'],
        summary: 'Remove a guest: deactivated, sessions and access ended',
        params: MemberParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeGuest(tx, actor, request.params.partnerId, request.params.userId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/partners/:partnerId/guests/:userId/access-end',
    {
      schema: {
        tags: ['partners'],
        summary: "**Guest access ends on**: set or clear when a guest's access ends (host admins)",
        params: MemberParams,
        body: z.strictObject({ accessEndsAt: EndMoment('**Guest access ends on**') }),
        response: { 200: PartnerDetailSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        setGuestAccessEnd(
          tx,
          actor,
          request.params.partnerId,
          request.params.userId,
          request.body.accessEndsAt ?? null,
          requestContext(request),
        ),
      );
      return getPartner(app.db, actor, request.params.partnerId);
    },
  );
};

export default partnerRoutes;
