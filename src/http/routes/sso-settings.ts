import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { issuerUrlProblem } from '../../services/oidc.js';
import { getSsoSettings, switchSignInMode, testSingleSignOn, updateSsoSettings } from '../../services/sso-settings.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';
import { OIDC_CALLBACK_PATH } from './oidc.js';
import { OIDC_CLIENT_AUTHENTICATIONS, publicJwks } from '../../services/oidc-client-auth.js';

/** **Single sign-on** on Workspace settings (SPEC §2b): the OpenID Connect settings and the sign-in mode. */
const SsoProtocol = z.enum(['oidc', 'saml'], { error: 'Use oidc or saml.' });

const SsoSettings = z.object({
  mode: z.enum(['local', 'idp']),
  protocol: SsoProtocol,
  samlConfigured: z.boolean(),
  issuer: z.string().nullable(),
  clientId: z.string().nullable(),
  clientSecretSet: z.boolean(),
  jitProvisioning: z.boolean(),
  mfaValues: z.array(z.string()).nullable(),
  redirectUri: z.string(),
  clientAuthentication: z.enum(OIDC_CLIENT_AUTHENTICATIONS),
  jwksUrl: z.string().nullable(),
  signingKeySwitchAt: z.string().nullable(),
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
          'Save the single sign-on settings: protocol, OpenID Connect client or SAML metadata, JIT, second-factor values. ' +
          'The client secret is write-only (absent keeps it, empty string removes it); an absent field keeps its value',
        body: z.strictObject({
          protocol: SsoProtocol.optional(),
          issuer: IssuerUrl.nullable().optional(),
          clientId: z
            .string()
            .trim()
            .max(255, { error: 'Use at most 255 characters.' })
            .transform((text) => (text === '' ? null : text))
            .nullable()
            .optional(),
          clientSecret: z.string().trim().max(1000, { error: 'Use at most 1000 characters.' }).optional(),
          /** The SAML identity provider's metadata XML (as PUT /workspace/saml), saved in the same transaction. */
          samlMetadataXml: z
            .string()
            .trim()
            .min(1)
            .max(200_000, { error: 'Use at most 200,000 characters.' })
            .optional(),
          jitProvisioning: z.boolean().optional(),
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
        response: { 200: SsoSettings, ...problemResponses(400, 401, 403, 409, 422) },
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
          "Test connection: for OpenID Connect, fetch the issuer's discovery document and signing keys (JWKS); for SAML, " +
          "read the metadata and its signing certificates' expiry. Answers in words what was found or what failed",
        description:
          'Tests what is given (issuer, or metadataXml), else the saved settings of the given or current protocol.',
        body: z.strictObject({
          protocol: SsoProtocol.optional(),
          issuer: z.string().trim().max(500).optional(),
          metadataXml: z.string().trim().max(200_000).optional(),
        }),
        response: {
          200: z.object({
            ok: z.boolean(),
            message: z.string(),
            issuer: z.string().optional(),
            keys: z.number().int().optional(),
            ssoUrl: z.string().optional(),
            certificateExpiry: z.array(z.string()).optional(),
          }),
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request) =>
      testSingleSignOn(app.db, requireSession(request).actor, request.body, redirectUri, app.clock.now()),
  );
};

export default ssoSettingsRoutes;
