import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import csrfProtection from '@fastify/csrf-protection';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Called by client apps before they have a session (connecting): reads no cookie, needs no CSRF token. */
    withoutCookies?: boolean;
  }
}

/**
 * Every state-changing API call from the web app must carry `x-csrf-token` matching the secret in an
 * HttpOnly, SameSite=Strict cookie. This covers sign-in and set-up too (login CSRF), not only signed-in
 * calls. Client apps authenticate with a bearer token instead of cookies, so they are outside it.
 */
async function csrfPlugin(app: FastifyInstance, options: { secure: boolean }): Promise<void> {
  await app.register(csrfProtection, {
    cookieKey: options.secure ? '__Host-gatehouse_csrf' : 'gatehouse_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secure },
    getToken: (request) => {
      const header = request.headers['x-csrf-token'];
      return Array.isArray(header) ? header[0] : header;
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || !request.url.startsWith('/api/')) return done();
    // A client app's request carries no cookie authority (the sessions plugin drops its cookies), and the
    // connect endpoints read no cookie: a forged cross-site request has nothing to ride on.
    if (request.isClientAppRequest || request.routeOptions.config.withoutCookies) return done();
    app.csrfProtection(request, reply, done);
  });
}

export default fp(csrfPlugin, { name: 'gatehouse-csrf', dependencies: ['@fastify/cookie', 'gatehouse-sessions'] });
