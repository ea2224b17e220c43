import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../domain/actor.js';
import { unauthenticated } from '../domain/errors.js';
import type { AuthenticatedSession } from '../services/sessions/authenticated-session.js';

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: userAgent ? userAgent.slice(0, 512) : null };
}

/** The signed-in session, or a 401 problem. */
export function requireSession(request: FastifyRequest): AuthenticatedSession {
  if (!request.auth) throw request.authRefusal ?? unauthenticated();
  return request.auth;
}
