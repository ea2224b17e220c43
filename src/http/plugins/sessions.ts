import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { resolveSession, SESSION_ABSOLUTE_MS, type AuthenticatedSession } from '../../services/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthenticatedSession | undefined;
  }
  interface FastifyReply {
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
  interface FastifyInstance {
    sessionCookieName: string;
  }
}

export interface SessionsOptions {
  secure: boolean;
}

/**
 * Resolves the session cookie on every API request. The cookie holds a random token; the database
 * holds only its hash. `__Host-` (https only) pins the cookie to this exact origin.
 */
async function sessionsPlugin(app: FastifyInstance, options: SessionsOptions): Promise<void> {
  const cookieName = options.secure ? '__Host-gatehouse_session' : 'gatehouse_session';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
  app.decorate('sessionCookieName', cookieName);
  app.decorateRequest('auth', undefined);
  app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string) {
    return this.setCookie(cookieName, token, { ...cookieOptions, maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
  });
  app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
    return this.clearCookie(cookieName, cookieOptions);
  });
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[cookieName];
    if (!token || token.length > 256 || !request.url.startsWith('/api/')) return;
    request.auth = await resolveSession(app.db, token);
  });
}

export default fp(sessionsPlugin, { name: 'gatehouse-sessions', dependencies: ['@fastify/cookie'] });
