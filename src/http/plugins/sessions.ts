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
    /** Stores a device secret in the browser (SPEC §6); it outlives sessions and is never readable by scripts. */
    setDeviceCookie(secret: string): FastifyReply;
    clearDeviceCookie(): FastifyReply;
  }
  interface FastifyInstance {
    sessionCookieName: string;
    deviceCookieName: string;
  }
}

/** Where a non-browser client (extension, command line) presents its device secret. */
export const DEVICE_SECRET_HEADER = 'x-gatehouse-device';

/** Browsers cap cookie lifetime at 400 days; the server decides how long an approval lasts. */
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;

export interface SessionsOptions {
  secure: boolean;
}

/**
 * Resolves the session cookie on every API request. The cookie holds a random token; the database
 * holds only its hash. `__Host-` (https only) pins the cookie to this exact origin.
 */
async function sessionsPlugin(app: FastifyInstance, options: SessionsOptions): Promise<void> {
  const cookieName = options.secure ? '__Host-gatehouse_session' : 'gatehouse_session';
  const deviceCookieName = options.secure ? '__Host-gatehouse_device' : 'gatehouse_device';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
  app.decorate('sessionCookieName', cookieName);
  app.decorate('deviceCookieName', deviceCookieName);
  app.decorateRequest('auth', undefined);
  app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string) {
    return this.setCookie(cookieName, token, { ...cookieOptions, maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
  });
  app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
    return this.clearCookie(cookieName, cookieOptions);
  });
  app.decorateReply('setDeviceCookie', function (this: FastifyReply, secret: string) {
    return this.setCookie(deviceCookieName, secret, { ...cookieOptions, maxAge: DEVICE_COOKIE_MAX_AGE_S });
  });
  app.decorateReply('clearDeviceCookie', function (this: FastifyReply) {
    return this.clearCookie(deviceCookieName, cookieOptions);
  });
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[cookieName];
    if (!token || token.length > 256 || !request.url.startsWith('/api/')) return;
    // A browser holds its device secret in the cookie; an extension or command-line client sends it in
    // this header (SPEC §6: the device API is client-neutral).
    const deviceHeader = request.headers[DEVICE_SECRET_HEADER];
    const deviceSecret =
      request.cookies[deviceCookieName] ?? (typeof deviceHeader === 'string' ? deviceHeader : undefined);
    request.auth = await resolveSession(
      app.db,
      app.clock,
      token,
      deviceSecret && deviceSecret.length <= 256 ? deviceSecret : undefined,
    );
  });
}

export default fp(sessionsPlugin, { name: 'gatehouse-sessions', dependencies: ['@fastify/cookie'] });
