import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describePolicy } from '../../domain/password-policy.js';
import { IDENTITY_CONFIRMATION_MS } from '../../domain/assurance.js';
import { unauthenticated } from '../../domain/errors.js';
import { changeTemporaryPassword } from '../../services/password-change.js';
import type { AuthenticatedSession } from '../../services/sessions/authenticated-session.js';
import { resolveSession } from '../../services/sessions/resolve-session.js';
import { signIn } from '../../services/sessions/sign-in.js';
import { signOut } from '../../services/sessions/sign-out.js';
import { toUserView, toWorkspaceView } from '../../services/users.js';
import { requestContext, requireSession } from '../context.js';
import { EVERY_PENDING_STEP } from '../plugins/gates.js';
import { DisplayName, Me, Password, PRINTABLE_TEXT, problemResponses, Slug } from '../schemas.js';

export function toMe(session: AuthenticatedSession, now: number) {
  const { assurance } = session;
  const confirmedUntil = assurance.identityConfirmedAt
    ? assurance.identityConfirmedAt.getTime() + IDENTITY_CONFIRMATION_MS
    : 0;
  return {
    user: toUserView(session.user),
    workspace: toWorkspaceView(session.workspace),
    pending: session.pending,
    assurance: {
      mfaRequired: assurance.mfaRequired,
      mfaEnrolmentRequired: assurance.mfaEnrolmentRequired,
      mfaEnabled: assurance.mfaEnabled,
      identityConfirmedUntil: confirmedUntil > now ? new Date(confirmedUntil).toISOString() : null,
      device: assurance.device
        ? {
            id: assurance.device.id,
            name: assurance.device.name,
            status: assurance.device.status,
            approvedUntil: assurance.device.approvedUntil?.toISOString() ?? null,
          }
        : null,
      trusted: assurance.trusted,
    },
  };
}

/**
 * The session a response has just opened or renewed, as the next request will see it: the new token
 * when the response sets one, otherwise the one the request presented (cookie or client app's bearer).
 */
export async function meForNewToken(app: FastifyInstance, request: FastifyRequest, newToken?: string) {
  const presented = newToken === undefined ? request.presentedSession : undefined;
  const token = newToken ?? presented?.token;
  if (!token) throw unauthenticated();
  const session = presented
    ? await resolveSession(app.db, app.clock, token, presented.deviceSecret, presented.clientApp)
    : await resolveSession(app.db, app.clock, token, request.cookies[app.deviceCookieName]);
  if (!session) throw unauthenticated();
  return toMe(session, app.clock.now());
}

const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/auth/csrf',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Get a CSRF token to send as x-csrf-token on every state-changing call',
        response: { 200: z.object({ token: z.string() }) },
      },
    },
    async (_request, reply) => ({ token: reply.generateCsrf() }),
  );

  app.post(
    '/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password',
        body: z.strictObject({
          workspace: Slug,
          username: z
            .string()
            .trim()
            .min(1, { error: 'Enter your username.' })
            .max(320)
            .regex(PRINTABLE_TEXT, { error: 'Usernames cannot contain control characters.' }),
          password: z.string().min(1, { error: 'Enter your password.' }).max(1024),
        }),
        response: { 200: Me, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { workspace, username, password } = request.body;
      const previous = request.cookies[app.sessionCookieName];
      const signedIn = await signIn(
        app.unitOfWork,
        { attempts: app.attempts, masterKey: app.masterKey, clock: app.clock, keyring: app.keyring },
        { workspaceSlug: workspace, username, password },
        requestContext(request),
        previous,
        request.cookies[app.deviceCookieName],
      );
      reply.setSessionCookie(signedIn.token);
      // Built from what sign-in read and wrote: reading the new session back would cost a round trip.
      return toMe(signedIn.session, app.clock.now());
    },
  );

  app.post(
    '/auth/sign-out',
    {
      config: { allowWhile: EVERY_PENDING_STEP },
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        response: { 204: z.null(), ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await app.unitOfWork.run((tx) => signOut(tx, session, requestContext(request)));
      reply.clearSessionCookie();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/session',
    {
      config: { allowWhile: EVERY_PENDING_STEP },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, workspace and pending first-sign-in steps',
        response: { 200: Me, ...problemResponses(401) },
      },
    },
    async (request) => toMe(requireSession(request), app.clock.now()),
  );

  app.get(
    '/auth/password-policy',
    {
      config: { allowWhile: EVERY_PENDING_STEP },
      schema: {
        tags: ['auth'],
        summary: "The workspace's password policy, as the Change Password page lists it",
        response: {
          200: z.object({ minLength: z.number(), rules: z.array(z.object({ id: z.string(), label: z.string() })) }),
          ...problemResponses(401),
        },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const workspace = await app.db
        .selectFrom('workspaces')
        .select('password_min_length')
        .where('id', '=', session.workspace.id)
        .executeTakeFirstOrThrow();
      const policy = { minLength: workspace.password_min_length };
      return { minLength: policy.minLength, rules: describePolicy(policy) };
    },
  );

  app.post(
    '/auth/change-password',
    {
      // Not while the second factor is owed: a temporary password alone must not set the permanent one.
      config: { allowWhile: ['password-change', 'terms'] },
      schema: {
        tags: ['auth'],
        summary: 'Change Password at first sign-in: new password (twice), name and family name',
        body: z.strictObject({
          newPassword: Password,
          newPasswordAgain: z.string().max(1024),
          givenName: DisplayName.describe('Name'),
          familyName: DisplayName.describe('Family Name'),
        }),
        response: { 200: Me, ...problemResponses(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      const token = await changeTemporaryPassword(
        app.unitOfWork,
        app.clock,
        app.keyring,
        session,
        request.body,
        requestContext(request),
      );
      reply.setSessionCookie(token);
      return meForNewToken(app, request, token);
    },
  );
};

export default authRoutes;
