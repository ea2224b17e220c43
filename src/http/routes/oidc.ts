import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../domain/errors.js';
import { hashToken } from '../../crypto/tokens.js';
import { OIDC_REQUEST_TTL_MS, startAuthorization } from '../../services/oidc.js';
import { completeOidcSignIn } from '../../services/oidc-sign-in.js';
import { requestContext } from '../context.js';
import { findWorkspaceBySlug } from '../../services/workspaces.js';
import { problemResponses, Slug } from '../schemas.js';

export const OIDC_CALLBACK_PATH = '/api/v1/oidc/callback';

/** A full-page navigation (the waiting page's redirect), as opposed to a script or API client. */
function isBrowserNavigation(request: FastifyRequest): boolean {
  const mode = request.headers['sec-fetch-mode'];
  if (mode) return mode === 'navigate';
  return (request.headers.accept ?? '').includes('text/html');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(hashToken(a));
  const y = Buffer.from(hashToken(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Members' sign-in through the workspace's OpenID Connect provider (authorization code + PKCE, SPEC §2b):
 * the start sends the browser to the IdP, the callback completes the sign-in (services/oidc-sign-in.ts)
 * and opens a session, or sends the person to the sign-in page with the reason in words.
 */
const oidcRoutes: FastifyPluginAsyncZod = async (app) => {
  const secure = app.config.publicUrl.protocol === 'https:';
  // The state also goes into a cookie, so a callback only counts in the browser that started it
  // (someone else's link to our callback cannot complete a sign-in in your browser).
  const stateCookie = secure ? '__Host-gatehouse_oidc' : 'gatehouse_oidc';
  const stateCookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  const redirectUri = new URL(OIDC_CALLBACK_PATH, app.config.publicUrl.origin).href;

  /** The workspace whose members sign in through an identity provider; 404 in words otherwise. */
  async function idpWorkspace(slug: string) {
    const workspace = await findWorkspaceBySlug(app.db, slug);
    if (!workspace) throw notFound('Workspace', `No workspace is named "${slug}".`);
    if (workspace.mode !== 'idp') {
      throw notFound(
        'Identity provider',
        `Workspace "${slug}" does not use an identity provider; sign in with your Gatehouse username.`,
      );
    }
    return workspace;
  }

  app.get(
    '/workspaces/:slug/sso/start',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          "Start a member's sign-in at the workspace's identity provider, whichever protocol it uses (302 to the OIDC or SAML start)",
        params: z.strictObject({ slug: Slug }),
        response: problemResponses(404),
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const workspace = await idpWorkspace(slug);
      reply.header('cache-control', 'no-store');
      const encoded = encodeURIComponent(workspace.slug);
      return reply.redirect(
        workspace.idp_protocol === 'saml'
          ? `/api/v1/saml/${encoded}/login`
          : `/api/v1/workspaces/${encoded}/oidc/start`,
        302,
      );
    },
  );

  app.get(
    '/workspaces/:slug/oidc/start',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Start a member's sign-in at the workspace's identity provider (302 to its authorization endpoint)",
        description:
          'Redirects to the IdP with response_type=code, PKCE (S256), state and nonce. When the IdP cannot be reached, ' +
          'a browser navigation is sent back to the waiting page (/w/{slug}?idp=unavailable); other clients get a 502 problem.',
        params: z.strictObject({ slug: Slug }),
        response: problemResponses(400, 404, 502, 503),
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const workspace = await idpWorkspace(slug);
      if (workspace.idp_protocol !== 'oidc') {
        throw notFound('Identity provider', `Workspace "${slug}" does not sign in through OpenID Connect.`);
      }
      reply.header('cache-control', 'no-store');
      let started;
      try {
        started = await startAuthorization(app.db, workspace, redirectUri);
      } catch (error) {
        if (error instanceof AppError && error.type === 'idp-unavailable') {
          request.log.warn(
            { workspace: workspace.slug, issuer: workspace.idp_issuer, detail: error.message },
            'identity provider unavailable',
          );
          if (isBrowserNavigation(request))
            return reply.redirect(`/w/${encodeURIComponent(workspace.slug)}?idp=unavailable`, 302);
        }
        throw error;
      }
      reply.setCookie(stateCookie, started.state, {
        ...stateCookieOptions,
        maxAge: Math.floor(OIDC_REQUEST_TTL_MS / 1000),
      });
      return reply.redirect(started.url.href, 302);
    },
  );

  app.get(
    '/oidc/callback',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Where the identity provider sends the browser back (redirect_uri)',
        description:
          'Consumes the pending request named by `state` (once), exchanges the code with its PKCE verifier, validates the ID ' +
          'token (issuer, audience, signature from the JWKS, expiry, iat, nonce) and matches the member by issuer + sub. ' +
          'On success a session cookie is set and the browser goes to /app; on any failure to /w/{slug}/sign-in?sso={reason}, ' +
          'or to /login?sso=expired when the state is unknown, expired, already used or from another browser.',
        // Providers add parameters of their own (iss, session_state, …): unknown ones are ignored, not refused.
        querystring: z.object({
          state: z.string().max(512).optional(),
          code: z.string().max(4096).optional(),
          error: z.string().max(256).optional(),
        }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const { state } = request.query;
      const cookieState = request.cookies[stateCookie];
      const expired = () => reply.redirect('/login?sso=expired', 302);
      if (!state || !cookieState || !sameToken(state, cookieState)) return expired();
      reply.clearCookie(stateCookie, stateCookieOptions);
      const result = await completeOidcSignIn(
        { unitOfWork: app.unitOfWork, keyring: app.keyring, clock: app.clock },
        {
          callbackUrl: new URL(request.url, app.config.publicUrl.origin),
          state,
          replacedToken: request.cookies[app.sessionCookieName],
        },
        requestContext(request),
      );
      if (!result.ok) {
        if (!result.workspaceSlug) return expired();
        request.log.info({ workspace: result.workspaceSlug, reason: result.reason }, 'oidc sign-in refused');
        return reply.redirect(
          `/w/${encodeURIComponent(result.workspaceSlug)}/sign-in?sso=${encodeURIComponent(result.reason)}`,
          302,
        );
      }
      reply.setSessionCookie(result.token);
      return reply.redirect('/app', 302);
    },
  );
};

export default oidcRoutes;
