import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { AppError } from '../../domain/errors.js';
import { explainEndedClientAppSession } from '../../services/session-ends.js';
import type { AuthenticatedSession } from '../../services/sessions/authenticated-session.js';
import { resolveSession } from '../../services/sessions/resolve-session.js';
import { SESSION_ABSOLUTE_MS } from '../../services/sessions/session-lifetime.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthenticatedSession | undefined;
    /** A client app's bearer token was refused: why, for its 401 (SPEC §7a: the popup says why). */
    authRefusal: AppError | undefined;
    /** The request authenticates with a client app's bearer token, so cookies play no part in it. */
    isClientAppRequest: boolean;
    /** The session token and device secret the request presented, to resolve the session again after a change. */
    presentedSession: PresentedSession | undefined;
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

export interface PresentedSession {
  token: string;
  deviceSecret: string | undefined;
  clientApp: boolean;
}

/** Where a non-browser client (extension, command line) presents its device secret. */
export const DEVICE_SECRET_HEADER = 'x-gatehouse-device';

/** Browsers cap cookie lifetime at 400 days; the server decides how long an approval lasts. */
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;

export interface SessionsOptions {
  secure: boolean;
}

/** A client app (extension, command line) presents its session token this way, never as a cookie. */
const BEARER = /^Bearer ([A-Za-z0-9_-]{16,256})$/;

/**
 * Resolves the session on every API request. The web app's session is a cookie holding a random token
 * (`__Host-` on https pins it to this exact origin); a client app sends its own session's token as
 * `Authorization: Bearer` with its device secret in `x-gatehouse-device`, and for such a request cookies
 * are ignored altogether, so it carries no ambient authority and needs no CSRF token. The database holds
 * only hashes of both.
 */
async function sessionsPlugin(app: FastifyInstance, options: SessionsOptions): Promise<void> {
  const cookieName = options.secure ? '__Host-gatehouse_session' : 'gatehouse_session';
  const deviceCookieName = options.secure ? '__Host-gatehouse_device' : 'gatehouse_device';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
  app.decorate('sessionCookieName', cookieName);
  app.decorate('deviceCookieName', deviceCookieName);
  app.decorateRequest('auth', undefined);
  app.decorateRequest('authRefusal', undefined);
  app.decorateRequest('isClientAppRequest', false);
  app.decorateRequest('presentedSession', undefined);
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
    const authorization = request.headers.authorization;
    if (authorization !== undefined && request.url.startsWith('/api/')) {
      request.isClientAppRequest = true;
      request.cookies = {};
      const token = BEARER.exec(authorization)?.[1];
      if (!token) return;
      const deviceHeader = request.headers[DEVICE_SECRET_HEADER];
      const deviceSecret = typeof deviceHeader === 'string' && deviceHeader.length <= 256 ? deviceHeader : undefined;
      request.presentedSession = { token, deviceSecret, clientApp: true };
      request.auth = await resolveSession(app.db, app.clock, token, deviceSecret, true);
      if (!request.auth) request.authRefusal = await explainEndedClientAppSession(app.db, app.clock, token);
      return;
    }
    const token = request.cookies[cookieName];
    if (!token || token.length > 256 || !request.url.startsWith('/api/')) return;
    const deviceCookie = request.cookies[deviceCookieName];
    const deviceSecret = deviceCookie && deviceCookie.length <= 256 ? deviceCookie : undefined;
    request.presentedSession = { token, deviceSecret, clientApp: false };
    request.auth = await resolveSession(app.db, app.clock, token, deviceSecret);
  });
}

export default fp(sessionsPlugin, { name: 'gatehouse-sessions', dependencies: ['@fastify/cookie'] });
