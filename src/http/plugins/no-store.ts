import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The response holds only public data meant for caches (a workspace's public JWKS): no no-store. */
    publicCache?: boolean;
  }
}

/**
 * No API response may be kept by a browser, proxy or CDN cache: many carry a secret (a TOTP key or code,
 * recovery codes, a device secret, a revealed or autofilled password, the CSRF token) and the others
 * describe one person's workspace. One rule for every `/api/` response, problems included, rather than a
 * list of secret-bearing routes that a new route could forget to join.
 */
export function registerNoStore(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    // A route made for caches (a workspace's public JWKS) says so itself and sets its own cache-control.
    if (request.routeOptions.config.publicCache && reply.statusCode === 200) return;
    reply.header('cache-control', 'no-store');
    // HTTP/1.0 caches know only this one.
    reply.header('pragma', 'no-cache');
  });
}
