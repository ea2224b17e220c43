import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ASSIGNABLE_MEMBER_ROLES } from '../../domain/roles.js';
import {
  inviteMember,
  joinWorkspace,
  lookupMemberInvitation,
  resendMemberInvitation,
  revokeMemberInvitation,
} from '../../services/member-invitations.js';
import {
  changeMemberRole,
  deactivateMember,
  previewDeactivation,
  reactivateMember,
} from '../../services/member-lifecycle.js';
import { listMembers } from '../../services/members.js';
import { meForNewToken } from './auth.js';
import { requestContext, requireSession } from '../context.js';
import { DisplayName, Email, Me, Password, problemResponses, UserView } from '../schemas.js';

const MemberView = UserView.extend({
  mfa: z.object({ totp: z.boolean(), passkeys: z.number().int() }),
  lastSignInAt: z.string().nullable(),
  invitation: z
    .object({
      state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
      expiresAt: z.string(),
      delivery: z.enum(['pending', 'sent', 'failed', 'cancelled']).nullable(),
    })
    .nullable(),
  /** What the viewer may do to this member, from the same policy the server enforces. */
  permissions: z.object({
    resetMfa: z.boolean(),
    changeRole: z.boolean(),
    deactivate: z.boolean(),
    reactivate: z.boolean(),
    resendInvitation: z.boolean(),
    revokeInvitation: z.boolean(),
    changeEmail: z.boolean(),
  }),
  signsInWith: z.enum(['password', 'identity_provider']),
});

const MemberRole = z.enum(ASSIGNABLE_MEMBER_ROLES, { error: 'Choose admin or member.' });
const UserParams = z.strictObject({ userId: z.uuid({ error: 'Not a valid user id.' }) });
const Handover = z.object({
  accounts: z.array(z.object({ id: z.string(), name: z.string() })),
  partners: z.array(z.object({ id: z.string(), name: z.string() })),
});
const JoinToken = z
  .string()
  .min(20)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'Not a valid invitation link.' });

/** The workspace's own people (SPEC §2a): the list, invitations, and each member's lifecycle. */
const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  const mailDeps = () => ({ masterKey: app.masterKey, keyring: app.keyring, publicUrl: app.config.publicUrl });

  app.get(
    '/members',
    {
      schema: {
        tags: ['members'],
        summary: "List the workspace's members (owner, admins, members), invited and deactivated included",
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
        summary:
          '**Invite member**: a Join workspace email; they choose their own password (admins invite members, the owner admins too)',
        body: z.strictObject({ email: Email, role: MemberRole }),
        response: { 201: z.object({ id: z.uuid() }), ...problemResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const invited = await app.attempts.withinInvitationLimits({ inviterId: actor.userId, partnerId: null }, () =>
        app.unitOfWork.run((tx) => inviteMember(tx, actor, request.body, mailDeps(), requestContext(request))),
      );
      return reply.status(201).send({ id: invited.userId });
    },
  );

  app.post(
    '/members/:userId/resend-invitation',
    {
      schema: {
        tags: ['members'],
        summary: '**Resend invitation** to an invited member: a new link (the old one stops working) and a new expiry',
        params: UserParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.attempts.withinInvitationLimits({ inviterId: actor.userId, partnerId: null }, () =>
        app.unitOfWork.run((tx) =>
          resendMemberInvitation(tx, actor, request.params.userId, mailDeps(), requestContext(request)),
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/members/:userId/revoke-invitation',
    {
      schema: {
        tags: ['members'],
        summary: "**Revoke** an invited member's invitation: the link stops working",
        params: UserParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        revokeMemberInvitation(tx, actor, request.params.userId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/members/:userId/role',
    {
      schema: {
        tags: ['members'],
        summary: '**Change role** admin ↔ member (the owner only: making or unmaking an admin acts on an admin)',
        params: UserParams,
        body: z.strictObject({ role: MemberRole }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        changeMemberRole(tx, actor, request.params.userId, request.body.role, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/members/:userId/deactivation',
    {
      schema: {
        tags: ['members'],
        summary: 'What deactivating a member would leave without an owner or host, to transfer first',
        params: UserParams,
        response: { 200: Handover, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => previewDeactivation(app.db, requireSession(request).actor, request.params.userId),
  );

  app.post(
    '/members/:userId/deactivate',
    {
      schema: {
        tags: ['members'],
        summary:
          '**Deactivate**: sessions, trusted devices and grants end at once; accounts only they own and partners only they host pass to `transferTo` first',
        description:
          'Without `transferTo`, a member who is the only owner of an account or the only host admin of a partner is refused with `transfer-required`, whose `errors` list each account and partner.',
        params: UserParams,
        body: z.strictObject({ transferTo: z.uuid({ error: 'Not a valid user id.' }).optional() }),
        response: { 200: z.object({ transferred: Handover }), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return app.unitOfWork.run((tx) =>
        deactivateMember(tx, actor, request.params.userId, request.body, requestContext(request)),
      );
    },
  );

  app.post(
    '/members/:userId/reactivate',
    {
      schema: {
        tags: ['members'],
        summary: '**Reactivate**: they can sign in again, with no grant, device or partner role back',
        params: UserParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) => reactivateMember(tx, actor, request.params.userId, requestContext(request)));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/member-invitations/:token',
    {
      config: { public: true },
      schema: {
        tags: ['members'],
        summary: 'What a Join workspace link leads to (public: the token is the secret)',
        params: z.strictObject({ token: JoinToken }),
        response: {
          200: z.object({
            state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
            workspace: z.object({ slug: z.string(), name: z.string(), mode: z.enum(['local', 'idp']) }),
            email: z.string(),
            role: MemberRole,
            invitedBy: z.string().nullable(),
            expiresAt: z.string(),
            passwordPolicy: z.object({
              minLength: z.number(),
              rules: z.array(z.object({ id: z.string(), label: z.string() })),
            }),
          }),
          ...problemResponses(400, 404),
        },
      },
    },
    async (request) => lookupMemberInvitation(app.db, request.params.token),
  );

  app.post(
    '/member-invitations/join',
    {
      config: { public: true },
      schema: {
        tags: ['members'],
        summary: 'Join a `local` workspace from the link: your own password (twice) and names; signs you in',
        body: z.strictObject({
          token: JoinToken,
          password: Password,
          passwordAgain: z.string().max(1024),
          givenName: DisplayName.describe('Name'),
          familyName: DisplayName.describe('Family Name'),
        }),
        response: { 200: Me, ...problemResponses(400, 404, 409, 410, 422) },
      },
    },
    async (request, reply) => {
      const token = await joinWorkspace(app.unitOfWork, app.clock, request.body, requestContext(request));
      reply.setSessionCookie(token);
      return meForNewToken(app, request, token);
    },
  );
};

export default memberRoutes;
