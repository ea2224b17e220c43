import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  changeGuestAccountRole,
  listAccess,
  listMemberAccounts,
  listPartnerAccounts,
  removeFromAccount,
  removeFromPartner,
  shareOnward,
  shareWithMember,
  shareWithPartner,
} from '../../services/account-sharing.js';
import { requestContext, requireSession } from '../context.js';
import { EndMoment, problemResponses } from '../schemas.js';

const Id = (what: string) => z.uuid({ error: `Not a valid ${what} id.` });
const AccountParams = z.strictObject({ accountId: Id('account') });
const PartnerParams = z.strictObject({ partnerId: Id('partner') });
const ItemRoleSchema = z.enum(['owner', 'manager', 'collaborator']);
const GuestItemRole = z.enum(['manager', 'collaborator'], { error: 'Choose manager or collaborator.' });

const AccessEntrySchema = z.object({
  kind: z.enum(['member', 'partner', 'guest']),
  userId: z.uuid().nullable(),
  partnerId: z.uuid().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  role: ItemRoleSchema,
  sharedVia: z.string().nullable(),
  ownGrant: z.boolean(),
  lastUsedAt: z.string().nullable(),
  status: z.string().nullable(),
  accessUntil: z.string().nullable().describe('**Access until**: when this access ends by itself (ISO 8601), or null'),
});

/**
 * Sharing accounts (SPEC §1, §3). Sharing is a sensitive action: it needs an identity confirmation
 * within the last five minutes, like revealing or editing.
 */
const accountSharingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/accounts/:accountId/access',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: 'Who has access (owners): members, partners and the guests they reach',
        params: AccountParams,
        response: { 200: z.object({ entries: z.array(AccessEntrySchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      entries: await listAccess(app.db, requireSession(request).actor, request.params.accountId),
    }),
  );

  app.post(
    '/accounts/:accountId/members',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['sharing'],
        summary: 'Share with a workspace member as owner or collaborator (owners)',
        params: AccountParams,
        body: z.strictObject({
          userId: Id('user'),
          role: z.enum(['owner', 'collaborator'], { error: 'Choose owner or collaborator.' }),
          accessUntil: EndMoment('**Access until**'),
        }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        shareWithMember(tx, actor, request.params.accountId, request.body, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/accounts/:accountId/onward-shares',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['sharing'],
        summary: '**Share Access**: a manager passes the account on to a guest user of the same partner',
        params: AccountParams,
        body: z.strictObject({ userId: Id('user'), accessUntil: EndMoment('**Access until**') }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        shareOnward(
          tx,
          actor,
          request.params.accountId,
          request.body.userId,
          requestContext(request),
          request.body.accessUntil,
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/accounts/:accountId/guests/:userId/role',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['sharing'],
        summary: "Change a guest's role on this account (owners); it overrides the partner share for that guest",
        params: z.strictObject({ accountId: Id('account'), userId: Id('user') }),
        body: z.strictObject({ role: GuestItemRole }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        changeGuestAccountRole(
          tx,
          actor,
          request.params.accountId,
          request.params.userId,
          request.body.role,
          requestContext(request),
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/accounts/:accountId/access/:userId',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: '**Remove from account** (owners)',
        params: z.strictObject({ accountId: Id('account'), userId: Id('user') }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeFromAccount(tx, actor, request.params.accountId, request.params.userId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/partners/:partnerId/accounts',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: "The partner's **Accounts** tab: accounts shared with it and the role given",
        params: PartnerParams,
        response: {
          200: z.object({
            accounts: z.array(
              z.object({
                id: z.uuid(),
                name: z.string(),
                appName: z.string(),
                role: GuestItemRole,
                sharedAt: z.string(),
                accessUntil: z.string().nullable(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      accounts: await listPartnerAccounts(app.db, requireSession(request).actor, request.params.partnerId),
    }),
  );

  app.get(
    '/partners/:partnerId/members/:userId/accounts',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: '**View details**: the accounts a member of the partner can use, with their role',
        params: z.strictObject({ partnerId: Id('partner'), userId: Id('user') }),
        response: {
          200: z.object({
            accounts: z.array(z.object({ id: z.uuid(), name: z.string(), appName: z.string(), role: ItemRoleSchema })),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      accounts: await listMemberAccounts(
        app.db,
        requireSession(request).actor,
        request.params.partnerId,
        request.params.userId,
      ),
    }),
  );

  app.post(
    '/partners/:partnerId/accounts',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['sharing'],
        summary: '**Share accounts** with the partner (host admins, for accounts they own)',
        params: PartnerParams,
        body: z.strictObject({
          accounts: z
            .array(z.strictObject({ accountId: Id('account'), role: GuestItemRole }))
            .min(1, { error: 'Select at least one account.' })
            .max(200, { error: 'Share at most 200 accounts at once.' }),
          accessUntil: EndMoment('**Access until**, for every account of this share'),
        }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        shareWithPartner(
          tx,
          actor,
          request.params.partnerId,
          request.body.accounts,
          requestContext(request),
          request.body.accessUntil,
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/partners/:partnerId/accounts/:accountId',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: 'Remove an account from the partner: its share and every onward share made from it end',
        params: z.strictObject({ partnerId: Id('partner'), accountId: Id('account') }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      await app.unitOfWork.run((tx) =>
        removeFromPartner(tx, actor, request.params.partnerId, request.params.accountId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );
};

export default accountSharingRoutes;
