import { inflateRawSync } from 'node:zlib';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import {
  findSamlConfig,
  getSamlSettings,
  saveSamlMetadata,
  SAML_REQUEST_TTL_MS,
  serviceProvider,
  serviceProviderMetadata,
} from '../../services/saml.js';
import { completeSamlSignIn } from '../../services/saml-sign-in.js';
import { findWorkspaceBySlug } from '../../services/workspaces.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses, Slug } from '../schemas.js';

/** What an admin sees of the SAML settings: nothing secret (there is nothing secret in them). */
const SamlSettings = z.object({
  configured: z.boolean(),
  idpEntityId: z.string().nullable(),
  ssoUrl: z.string().nullable(),
  certificateExpiry: z.array(z.string()),
  spEntityId: z.string(),
  acsUrl: z.string(),
  metadataUrl: z.string(),
});

/** The ID of the AuthnRequest node-saml put (deflated, base64) into the redirect URL. */
function authnRequestId(url: string): string | null {
  const encoded = new URL(url).searchParams.get('SAMLRequest');
  if (!encoded) return null;
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  return /\sID="([^"]{1,200})"/.exec(xml)?.[1] ?? null;
}

/** A SAMLResponse is a few kilobytes; a megabyte is far more than any IdP sends. */
const ACS_BODY_LIMIT = 1024 * 1024;

/**
 * Members' sign-in through a SAML 2.0 identity provider (SPEC §2b): SP metadata, the AuthnRequest
 * (HTTP-Redirect), the assertion consumer service (HTTP-POST), and the admin's metadata settings.
 */
const samlRoutes: FastifyPluginAsyncZod = async (app) => {
  const publicUrl = app.config.publicUrl;
  // On https the AuthnRequest ID also goes into a cookie the IdP's cross-site form post carries back
  // (SameSite=None needs Secure), so an answer counts only in the browser that started the sign-in.
  const secure = publicUrl.protocol === 'https:';
  const requestCookie = '__Host-gatehouse_saml';
  const requestCookieOptions = { path: '/', httpOnly: true, sameSite: 'none' as const, secure: true };
  // The IdP posts the response as an HTML form; only this plugin's routes accept that body type.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: ACS_BODY_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get(
    '/saml/:slug/metadata',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "The workspace's SAML service-provider metadata (XML) to give the identity provider",
        params: z.strictObject({ slug: Slug }),
      },
    },
    async (request, reply) => {
      const workspace = await findWorkspaceBySlug(app.db, request.params.slug);
      if (!workspace) throw notFound('Workspace', `No workspace is named "${request.params.slug}".`);
      return reply
        .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
        .send(serviceProviderMetadata(publicUrl, workspace.slug));
    },
  );

  app.get(
    '/saml/:slug/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Start a member's sign-in at the workspace's SAML identity provider (302 with an AuthnRequest)",
        params: z.strictObject({ slug: Slug }),
        response: problemResponses(404),
      },
    },
    async (request, reply) => {
      const config = await findSamlConfig(app.db, request.params.slug);
      if (!config || config.workspace.mode !== 'idp' || config.workspace.idp_protocol !== 'saml') {
        throw notFound('Identity provider', `Workspace "${request.params.slug}" does not sign in through SAML.`);
      }
      reply.header('cache-control', 'no-store');
      const url = await serviceProvider(app.db, config, publicUrl, app.clock).getAuthorizeUrlAsync('', undefined, {});
      if (secure) {
        const requestId = authnRequestId(url);
        if (requestId) {
          reply.setCookie(requestCookie, requestId, {
            ...requestCookieOptions,
            maxAge: Math.floor(SAML_REQUEST_TTL_MS / 1000),
          });
        }
      }
      return reply.redirect(url, 302);
    },
  );

  app.post(
    '/saml/:slug/acs',
    {
      // The IdP's page posts here cross-site: no CSRF token, and no cookie is read (SameSite keeps them home).
      config: { public: true, withoutCookies: true },
      bodyLimit: ACS_BODY_LIMIT,
      schema: {
        tags: ['auth'],
        summary: 'Assertion consumer service (HTTP-POST binding): where the identity provider posts the SAMLResponse',
        description:
          'On success a session cookie is set and the browser goes to /app; on any failure to /w/{slug}/sign-in?sso={reason}.',
        params: z.strictObject({ slug: Slug }),
        body: z
          .object({ SAMLResponse: z.string().max(ACS_BODY_LIMIT).optional(), RelayState: z.string().optional() })
          .optional(),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const { slug } = request.params;
      const toSignIn = (reason: string) =>
        reply.redirect(`/w/${encodeURIComponent(slug)}/sign-in?sso=${encodeURIComponent(reason)}`, 302);
      const samlResponse = request.body?.SAMLResponse;
      if (!samlResponse) return toSignIn('invalid_response');
      let result;
      try {
        result = await completeSamlSignIn(
          { unitOfWork: app.unitOfWork, clock: app.clock, publicUrl },
          { slug, samlResponse, ...(secure ? { browserBinding: { requestId: request.cookies[requestCookie] } } : {}) },
          requestContext(request),
        );
      } catch (error) {
        // Whatever an IdP (or someone pretending to be one) posts, the person lands on a page in words.
        request.log.warn({ err: error, workspace: slug }, 'saml sign-in failed unexpectedly');
        return toSignIn('invalid_response');
      }
      if (!result.ok) {
        request.log.info({ workspace: slug, reason: result.reason }, 'saml sign-in refused');
        return toSignIn(result.reason);
      }
      if (secure) reply.clearCookie(requestCookie, requestCookieOptions);
      reply.setSessionCookie(result.token);
      return reply.redirect('/app', 302);
    },
  );

  app.get(
    '/workspace/saml',
    {
      schema: {
        tags: ['workspace'],
        summary:
          'SAML settings (owner and admins): the IdP entity id, SSO URL, certificate expiry, and the URLs to give the IdP',
        response: { 200: SamlSettings, ...problemResponses(401, 403) },
      },
    },
    async (request) => getSamlSettings(app.db, requireSession(request).actor, publicUrl),
  );

  app.put(
    '/workspace/saml',
    {
      schema: {
        tags: ['workspace'],
        summary: "Save the IdP's SAML metadata XML (it must parse and carry a signing certificate)",
        body: z.strictObject({ metadataXml: z.string().min(1).max(200_000) }),
        response: { 200: SamlSettings, ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      return app.unitOfWork.run((tx) =>
        saveSamlMetadata(tx, actor, request.body.metadataXml, requestContext(request), publicUrl),
      );
    },
  );
};

export default samlRoutes;
