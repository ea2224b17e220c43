import type { FastifyInstance } from 'fastify';
import { identityIsFresh } from '../../domain/assurance.js';
import { clientAppName } from '../../domain/client-apps.js';
import type { DeviceKind } from '../../domain/vocabulary.js';
import { AppError, unauthenticated } from '../../domain/errors.js';
import type { AuthenticatedSession } from '../../services/sessions/authenticated-session.js';

/** The first-sign-in steps a session can still owe, in the order the web app walks them. */
export type PendingStep = 'second-factor' | 'password-change' | 'terms';

/** For the routes that show and end the session itself: open whatever step is still pending. */
export const EVERY_PENDING_STEP: readonly PendingStep[] = ['second-factor', 'password-change', 'terms'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Reachable without signing in (sign-in, first-run set-up, an invitation link, …). Every other
     * /api/v1 route answers 401 to a request without a session, before its input is even read.
     */
    public?: boolean;
    /**
     * The pending first-sign-in steps a signed-in route stays open through. By default a session must
     * have passed the second factor, changed its temporary password and accepted the current terms
     * before any call; a route listing a step answers while that step is the next one owed.
     */
    allowWhile?: readonly PendingStep[];
    /**
     * What the route hands out or changes (SPEC §5, §6). 'accounts': anything about shared accounts, so
     * guests and local users need MFA on. 'secrets': a password or TOTP code, so also a trusted session.
     */
    access?: 'accounts' | 'secrets';
    /** A sensitive action: a second factor within the last five minutes (SPEC §5). */
    confirmIdentity?: boolean;
    /**
     * Part of turning MFA on: open to a session that must turn on MFA before anything else (the owner's
     * break-glass sign-in of an idp workspace, SPEC §2b), as are the routes open through every pending step.
     */
    mfaEnrolment?: boolean;
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

/** The same refusal for a client app whose kind the workspace no longer approves, saying why (SPEC §7a). */
export const clientAppNoLongerApproved = (kind: DeviceKind) =>
  new AppError(
    'trusted-session-required',
    403,
    'Your current session is not secure',
    `Your workspace no longer approves the ${clientAppName(kind)}. A workspace admin can approve it again under Workspace settings.`,
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
  now: number,
): void {
  const { assurance } = session;
  if (config.access || config.confirmIdentity) {
    if (assurance.mfaRequired && !assurance.mfaEnabled) throw mfaRequired();
  }
  if (config.access === 'secrets' && !assurance.trusted) {
    throw assurance.device && !assurance.clientAppApproved
      ? clientAppNoLongerApproved(assurance.device.kind)
      : trustedSessionRequired();
  }
  if (config.confirmIdentity) {
    if (!assurance.mfaEnabled) throw mfaRequired();
    if (!identityIsFresh(assurance, now)) throw identityConfirmationRequired();
  }
}

export const mfaEnrolmentRequired = () =>
  new AppError(
    'mfa-required',
    403,
    'Turn on MFA first',
    "You signed in with your password in a workspace whose members sign in through the company's identity provider: turn on multi-factor authentication before anything else.",
  );

/** The step the session owes next, if any: the order matters, each page leads to the next. */
function nextPendingStep(pending: AuthenticatedSession['pending']): PendingStep | undefined {
  if (pending.secondFactor) return 'second-factor';
  if (pending.passwordChange) return 'password-change';
  if (pending.terms) return 'terms';
  return undefined;
}

const pendingStepRefusals: Record<PendingStep, () => AppError> = {
  'second-factor': () =>
    new AppError(
      'second-factor-required',
      403,
      'Verification required',
      'Enter an authentication code, a recovery code or use a passkey to finish signing in.',
    ),
  'password-change': () =>
    new AppError(
      'password-change-required',
      403,
      'Password change required',
      'Change your temporary password before doing anything else.',
    ),
  terms: () =>
    new AppError(
      'terms-acceptance-required',
      403,
      'Terms of service not accepted',
      'Accept the current terms of service to continue.',
    ),
};

/**
 * SPEC §2, §4, §5 and §6 gates, on the server for every /api/v1 request. Deny by default: a route is
 * signed-in only unless it declares `public: true`, so a handler that forgets `requireSession` is still
 * protected. They run on `onRequest`, before the body is read or validated, so someone who may not call a
 * route learns nothing from its validation errors (401 comes before 400).
 */
export function registerGates(api: FastifyInstance): void {
  api.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const session = request.auth;
    if (!session) throw request.authRefusal ?? unauthenticated();
    const step = nextPendingStep(session.pending);
    if (step) {
      if (config.allowWhile?.includes(step)) return;
      throw pendingStepRefusals[step]();
    }
    if (
      session.assurance.mfaEnrolmentRequired &&
      !config.mfaEnrolment &&
      !EVERY_PENDING_STEP.every((s) => config.allowWhile?.includes(s))
    ) {
      throw mfaEnrolmentRequired();
    }
    checkAssurance(session, config, api.clock.now());
  });
}
