import type { FastifyInstance } from 'fastify';
import { identityIsFresh } from '../../domain/assurance.js';
import { AppError } from '../../domain/errors.js';
import type { AuthenticatedSession } from '../../services/sessions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Which pending steps a route stays open through. By default a signed-in user must have passed the
     * second factor, changed the temporary password and accepted the current terms before any other call.
     * 'second-factor' routes are the verification page's; 'always' routes answer whatever is pending.
     */
    allowWhile?: 'always' | 'second-factor' | 'terms-pending';
    /**
     * What the route hands out or changes (SPEC §5, §6). 'accounts': anything about shared accounts, so
     * guests and local users need MFA on. 'secrets': a password or TOTP code, so also a trusted session.
     */
    access?: 'accounts' | 'secrets';
    /** A sensitive action: a second factor within the last five minutes (SPEC §5). */
    confirmIdentity?: boolean;
  }
}

export const mfaRequired = () =>
  new AppError(
    'mfa-required',
    403,
    'Turn on MFA first',
    'Turn on multi-factor authentication before using shared accounts.',
  );

export const trustedSessionRequired = () =>
  new AppError(
    'trusted-session-required',
    403,
    'Your current session is not secure',
    'Set up a trusted session on this device before receiving passwords or TOTP codes.',
  );

export const identityConfirmationRequired = () =>
  new AppError(
    'identity-confirmation-required',
    403,
    'Confirm your identity',
    'Confirm your identity with a second factor to continue: sensitive actions need one within the last 5 minutes.',
  );

/** The SPEC §5/§6 rules for one route, on the server, whatever the web app shows. */
export function checkAssurance(
  session: AuthenticatedSession,
  config: { access?: 'accounts' | 'secrets' | undefined; confirmIdentity?: boolean | undefined },
  now = Date.now(),
): void {
  const { assurance } = session;
  if (config.access || config.confirmIdentity) {
    if (assurance.mfaRequired && !assurance.mfaEnabled) throw mfaRequired();
  }
  if (config.access === 'secrets' && !assurance.trusted) throw trustedSessionRequired();
  if (config.confirmIdentity) {
    if (!assurance.mfaEnabled) throw mfaRequired();
    if (!identityIsFresh(assurance, now)) throw identityConfirmationRequired();
  }
}

/**
 * SPEC §2, §4, §5 and §6 gates, on the server for every API request. They run before the body is
 * validated, so someone who may not call a route learns nothing from its validation errors.
 */
export function registerGates(api: FastifyInstance): void {
  api.addHook('preValidation', async (request) => {
    const session = request.auth;
    if (!session) return;
    const config = request.routeOptions.config;
    const allowWhile = config.allowWhile;
    if (allowWhile === 'always') return;
    if (session.pending.secondFactor) {
      if (allowWhile === 'second-factor') return;
      throw new AppError(
        'second-factor-required',
        403,
        'Verification required',
        'Enter an authentication code, a recovery code or use a passkey to finish signing in.',
      );
    }
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
    checkAssurance(session, config);
  });
}
