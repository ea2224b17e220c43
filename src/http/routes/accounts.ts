import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { loadAccount } from '../../services/account-access.js';
import {
  createAccount,
  deleteAccount,
  deliverPasswordForAutofill,
  findAccounts,
  issueTotpCode,
  listAccountActivity,
  revealSecret,
  toAccountView,
  updateAccount,
} from '../../services/accounts.js';
import { requestContext, requireSession } from '../context.js';
import { EventView } from './activity.js';
import { MULTILINE_TEXT, NameText, PRINTABLE_TEXT, problemResponses } from '../schemas.js';

const ItemRoleSchema = z.enum(['owner', 'manager', 'collaborator']);
const AccountParams = z.strictObject({ accountId: z.uuid({ error: 'Not a valid account id.' }) });

const line = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label}: use at most ${max} characters.` })
    .regex(PRINTABLE_TEXT, { error: `${label} cannot contain control characters such as line breaks or tabs.` });

const LoginUrl = z
  .string()
  .trim()
  .max(2048, { error: 'Login URL: use at most 2048 characters.' })
  .refine(
    (value) => {
      if (value === '') return true;
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: 'Enter the login URL as an http:// or https:// address.' },
  );

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const AccountFields = {
  name: NameText('Name'),
  appName: NameText('App name', { optional: true }),
  loginUrl: optional(LoginUrl),
  username: optional(line('Username', 320)),
  password: optional(z.string().max(1024, { error: 'Password: use at most 1024 characters.' })),
  totpSecret: optional(z.string().trim().max(2048, { error: 'TOTP secret: use at most 2048 characters.' })),
  notes: optional(
    z
      .string()
      .max(10_000, { error: 'Notes: use at most 10,000 characters.' })
      .regex(MULTILINE_TEXT, { error: 'Notes cannot contain control characters.' }),
  ),
};

const AccountSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  appName: z.string(),
  loginUrl: z.string().nullable(),
  username: z.string().nullable(),
  role: ItemRoleSchema,
  hasTotp: z.boolean(),
});

const AccountDetail = z.object({
  id: z.uuid(),
  name: z.string(),
  appName: z.string(),
  loginUrl: z.string().nullable(),
  username: z.string().nullable(),
  notes: z.string().nullable(),
  hasPassword: z.boolean(),
  hasTotp: z.boolean(),
  role: ItemRoleSchema,
  permissions: z.object({
    reveal: z.boolean(),
    edit: z.boolean(),
    delete: z.boolean(),
    share: z.boolean(),
    shareOnward: z.boolean(),
    manageAccess: z.boolean(),
    viewActivity: z.boolean(),
    reviewAccess: z.boolean(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const empty = (value: string | null | undefined) => (value === undefined ? undefined : value === '' ? null : value);

const clientAppRequired = () =>
  new AppError(
    'client-app-required',
    403,
    'Autofill needs a client app',
    'Passwords are delivered for autofill only to an approved client app (browser extension or command line) on a trusted device.',
  );

/**
 * The accounts vault (SPEC §7). Every route declares what it hands out: 'accounts' needs MFA for guests
 * and local users, 'secrets' also a trusted session; the gates enforce both before the handler runs.
 */
const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/accounts',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['accounts'],
        summary: 'The accounts you can use, with your role; search by name, app, login URL or username',
        querystring: z.strictObject({ search: line('Search', 100).optional() }),
        response: { 200: z.object({ accounts: z.array(AccountSummary) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const rows = await findAccounts(app.db, app.keyring, session.actor, request.query.search);
      return {
        accounts: rows.map((row) => ({
          id: row.id,
          name: row.name,
          appName: row.app_name,
          loginUrl: row.login_url,
          username: row.username,
          role: row.role,
          hasTotp: row.has_totp,
        })),
      };
    },
  );

  app.post(
    '/accounts',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (members only); you become its owner',
        body: z.strictObject(AccountFields),
        response: { 201: AccountDetail, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      const body = request.body;
      const id = await app.unitOfWork.run((tx) =>
        createAccount(
          tx,
          app.keyring,
          session.actor,
          {
            name: body.name,
            appName: body.appName,
            loginUrl: empty(body.loginUrl) ?? null,
            username: empty(body.username) ?? null,
            password: empty(body.password) ?? null,
            totpSecret: empty(body.totpSecret) ?? null,
            notes: empty(body.notes) ?? null,
          },
          requestContext(request),
        ),
      );
      const { account, standing } = await loadAccount(app.db, session.actor, id);
      return reply.status(201).send(await toAccountView(app.db, app.keyring, account, standing));
    },
  );

  app.get(
    '/accounts/:accountId',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['accounts'],
        summary: 'An account: name, app, login URL, username, notes and your role (never the password)',
        params: AccountParams,
        response: { 200: AccountDetail, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const { account, standing } = await loadAccount(app.db, session.actor, request.params.accountId);
      return toAccountView(app.db, app.keyring, account, standing);
    },
  );

  app.patch(
    '/accounts/:accountId',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['accounts'],
        summary: 'Edit an account (owners, after identity confirmation); omitted fields stay as they are',
        params: AccountParams,
        body: z.strictObject({
          ...AccountFields,
          name: AccountFields.name.optional(),
          appName: AccountFields.appName.optional(),
        }),
        response: { 200: AccountDetail, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const body = request.body;
      await app.unitOfWork.run((tx) =>
        updateAccount(
          tx,
          app.keyring,
          session.actor,
          request.params.accountId,
          {
            name: body.name,
            appName: body.appName,
            loginUrl: empty(body.loginUrl),
            username: empty(body.username),
            password: empty(body.password),
            totpSecret: empty(body.totpSecret),
            notes: empty(body.notes),
          },
          requestContext(request),
        ),
      );
      const { account, standing } = await loadAccount(app.db, session.actor, request.params.accountId);
      return toAccountView(app.db, app.keyring, account, standing);
    },
  );

  app.delete(
    '/accounts/:accountId',
    {
      config: { access: 'accounts', confirmIdentity: true },
      schema: {
        tags: ['accounts'],
        summary: 'Delete an account (owners, after identity confirmation); every share of it ends',
        params: AccountParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await app.unitOfWork.run((tx) =>
        deleteAccount(tx, session.actor, request.params.accountId, requestContext(request)),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/accounts/:accountId/activity',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['accounts'],
        summary:
          "The account's **Activity**: the Activity page narrowed to this account, newest first, by cursor (its owners and workspace admins)",
        params: AccountParams,
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          cursor: z.string().max(100).optional().describe('The nextCursor of the previous page'),
        }),
        response: {
          200: z.object({ events: z.array(EventView), nextCursor: z.string().nullable() }),
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const { limit, cursor } = request.query;
      return listAccountActivity(app.db, actor, request.params.accountId, { limit, ...(cursor ? { cursor } : {}) });
    },
  );

  app.post(
    '/accounts/:accountId/totp-code',
    {
      config: { access: 'secrets' },
      schema: {
        tags: ['accounts'],
        summary: '**Log in**: the current TOTP code, computed by the server (any role; never the secret)',
        description:
          "When fewer than 5 seconds of the current code remain, `next` holds the following code and its window too. `serverTime` lets a client count down by the server's clock.",
        params: AccountParams,
        response: {
          200: z.object({
            code: z.string(),
            validFrom: z.string(),
            expiresAt: z.string(),
            next: z.object({ code: z.string(), validFrom: z.string(), expiresAt: z.string() }).nullable(),
            serverTime: z.string(),
          }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const now = app.clock.now();
      const { current, next } = await app.unitOfWork.run((tx) =>
        issueTotpCode(
          tx,
          app.keyring,
          session.actor,
          request.params.accountId,
          session.assurance.device,
          requestContext(request),
          now,
        ),
      );
      const window = (issued: typeof current) => ({
        code: issued.code,
        validFrom: issued.validFrom.toISOString(),
        expiresAt: issued.expiresAt.toISOString(),
      });
      return { ...window(current), next: next && window(next), serverTime: new Date(now).toISOString() };
    },
  );

  app.post(
    '/accounts/:accountId/autofill',
    {
      config: { access: 'secrets' },
      schema: {
        tags: ['accounts'],
        summary: 'The username and password for autofill, to an approved client app on a trusted device only',
        params: AccountParams,
        response: {
          200: z.object({ username: z.string().nullable(), password: z.string() }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const device = session.assurance.device;
      // The web app is never handed a password to show: only a client app that fills it in.
      if (!device || device.kind === 'browser') throw clientAppRequired();
      return app.unitOfWork.run((tx) =>
        deliverPasswordForAutofill(
          tx,
          app.keyring,
          session.actor,
          request.params.accountId,
          device,
          requestContext(request),
        ),
      );
    },
  );

  app.post(
    '/accounts/:accountId/reveal',
    {
      config: { access: 'secrets', confirmIdentity: true },
      schema: {
        tags: ['accounts'],
        summary: '**Reveal** the password or the TOTP secret (owners, after identity confirmation)',
        params: AccountParams,
        body: z.strictObject({
          field: z.enum(['password', 'totpSecret'], { error: 'Choose password or totpSecret.' }),
        }),
        response: { 200: z.object({ value: z.string() }), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const value = await app.unitOfWork.run((tx) =>
        revealSecret(
          tx,
          app.keyring,
          session.actor,
          request.params.accountId,
          request.body.field === 'password' ? 'password' : 'totp_secret',
          session.assurance.device?.id ?? null,
          requestContext(request),
        ),
      );
      return { value };
    },
  );
};

export default accountRoutes;
