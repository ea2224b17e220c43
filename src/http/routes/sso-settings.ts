import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden, invalid, notFound } from '../../domain/errors.js';
import { workspacePolicy } from '../../domain/policies/workspace.js';
import { issuerUrlProblem } from '../../services/oidc.js';
import { getSsoSettings, switchSignInMode, testSsoConnection, updateSsoSettings } from '../../services/sso-settings.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';
import { OIDC_CALLBACK_PATH } from './oidc.js';
import { OIDC_CLIENT_AUTHENTICATIONS, publicJwks } from '../../services/oidc-client-auth.js';

/** **Single sign-on** on Workspace settings (SPEC §2b): the OpenID Connect settings and the sign-in mode. */
const SsoSettings = z.object({
  mode: z.enum(['local', 'idp']),
  issuer: z.string().nullable(),
  clientId: z.string().nullable(),
  clientSecretSet: z.boolean(),
  jitProvisioning: z.boolean(),
  mfaValues: z.array(z.string()).nullable(),
  redirectUri: z.string(),
  clientAuthentication: z.enum(OIDC_CLIENT_AUTHENTICATIONS),
  jwksUrl: z.string().nullable(),
});

const IssuerUrl = z
  .string()
  .trim()
  .max(500, { error: 'Use at most 500 characters.' })
  .superRefine((text, ctx) => {
    if (text === '') return;
    const problem = issuerUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: `The issuer URL ${problem}.` });
  })
  .transform((text) => (text === '' ? null : text));

const ssoSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const redirectUri = new URL(OIDC_CALLBACK_PATH, app.config.publicUrl.origin).href;

  app.get(
    '/workspace/sso',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'Single sign-on settings (owner and admins): mode, issuer, client id, whether a client secret is set, JIT, the redirect URI',
        response: { 200: SsoSettings, ...problemResponses(401, 403) },
      },
    },
    async (request) => getSsoSettings(app.db, requireSession(request).actor, redirectUri),
  );

  app.put(
    '/workspace/sso',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'Save the OpenID Connect settings; the client secret is write-only (absent keeps it, empty string removes it)',
        body: z.strictObject({
          issuer: IssuerUrl.nullable(),
          clientId: z
            .string()
            .trim()
            .max(255, { error: 'Use at most 255 characters.' })
            .transform((text) => (text === '' ? null : text))
            .nullable(),
          clientSecret: z.string().trim().max(1000, { error: 'Use at most 1000 characters.' }).optional(),
          jitProvisioning: z.boolean(),
          /** amr/acr values that count as the IdP's second factor; empty or null: the default list. */
          mfaValues: z
            .array(
              z
                .string()
                .trim()
                .regex(/^[\x21-\x7e]{1,200}$/, { error: 'Use values such as mfa or otp, without spaces.' }),
            )
            .max(20, { error: 'Name at most 20 values.' })
            .nullable()
            .optional()
            .transform((values) => (values === undefined ? undefined : values?.length ? [...new Set(values)] : null)),
          clientAuthentication: z
            .enum(OIDC_CLIENT_AUTHENTICATIONS, {
              error: 'Use client_secret_basic, client_secret_post or private_key_jwt.',
            })
            .optional(),
          /** With private_key_jwt: replace the signing key (the IdP must fetch the JWKS again). */
          rotateSigningKey: z.boolean().optional(),
        }),
        response: { 200: SsoSettings, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const { clientSecret, ...rest } = request.body;
      const changes = {
        ...rest,
        clientSecret: clientSecret === undefined ? undefined : clientSecret === '' ? null : clientSecret,
      };
      return app.unitOfWork.run((tx) =>
        updateSsoSettings(tx, app.keyring, actor, changes, requestContext(request), redirectUri),
      );
    },
  );

  app.get(
    '/oidc/:slug/jwks',
    {
      config: { public: true, publicCache: true },
      schema: {
        tags: ['workspace'],
        summary:
          "The workspace's public signing keys (JWKS) for private_key_jwt client authentication; public, never a private part",
        params: z.object({ slug: z.string().max(100) }),
        response: {
          200: z.object({
            keys: z.array(
              z.object({
                kty: z.string(),
                crv: z.string(),
                x: z.string(),
                y: z.string(),
                kid: z.string(),
                alg: z.string(),
                use: z.string(),
              }),
            ),
          }),
          ...problemResponses(404),
        },
      },
    },
    async (request, reply) => {
      const jwks = await publicJwks(app.db, request.params.slug);
      if (!jwks) throw notFound('Workspace');
      // Providers cache the JWKS; five minutes lets a rotated key reach them soon.
      void reply.header('cache-control', 'public, max-age=300');
      return jwks;
    },
  );

  app.put(
    '/workspace/sso/mode',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'Switch how members sign in: local (Gatehouse passwords) or idp (only through the identity provider; the owner keeps break-glass)',
        body: z.strictObject({ mode: z.enum(['local', 'idp'], { error: 'Use local or idp.' }) }),
        response: { 200: SsoSettings, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return app.unitOfWork.run((tx) =>
        switchSignInMode(tx, actor, request.body.mode, requestContext(request), redirectUri),
      );
    },
  );

  app.post(
    '/workspace/sso/test',
    {
      schema: {
        tags: ['workspace'],
        summary:
          "Test connection: fetch the issuer's discovery document and signing keys (JWKS), answering in words what was found or what failed",
        body: z.strictObject({ issuer: z.string().trim().max(500).optional() }),
        response: {
          200: z.object({
            ok: z.boolean(),
            message: z.string(),
            issuer: z.string().optional(),
            keys: z.number().int().optional(),
          }),
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      if (!workspacePolicy.changeSettings(actor))
        throw forbidden('Only the workspace owner and admins can test the single sign-on connection.');
      const issuer = request.body.issuer || (await getSsoSettings(app.db, actor, redirectUri)).issuer;
      if (!issuer) {
        throw invalid('sso-issuer-missing', 'Enter the issuer URL to test.', [
          { path: 'issuer', message: 'Enter the issuer URL to test.' },
        ]);
      }
      return testSsoConnection(issuer);
    },
  );
};

export default ssoSettingsRoutes;
