import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Which pending first-sign-in steps a route stays open through. By default a signed-in user must
     * have changed the temporary password and accepted the current terms before any other call.
     */
    allowWhile?: 'always' | 'terms-pending';
  }
}

/** SPEC §4 gates, on the server for every API request, whatever the web app shows. */
export function registerGates(api: FastifyInstance): void {
  api.addHook('preHandler', async (request) => {
    const session = request.auth;
    if (!session) return;
    const allowWhile = request.routeOptions.config.allowWhile;
    if (allowWhile === 'always') return;
    if (session.pending.passwordChange) {
      throw new AppError(
        'password-change-required',
        403,
        'Password change required',
        'Change your temporary password before doing anything else.',
      );
    }
    if (session.pending.terms && allowWhile !== 'terms-pending') {
      throw new AppError(
        'terms-acceptance-required',
        403,
        'Terms of service not accepted',
        'Accept the current terms of service to continue.',
      );
    }
  });
}
