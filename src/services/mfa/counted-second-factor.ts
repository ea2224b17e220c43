import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { RequestContext } from '../../domain/actor.js';
import { recordUserEvent } from '../activity.js';
import type { AttemptLimiter } from '../attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from '../attempts.js';
import type { SecondFactorPurpose } from '../second-factor.js';
import type { AuthenticatedSession } from '../sessions/authenticated-session.js';
import { isWrongSecondFactor } from './mfa-problems.js';
import type { SecondFactorDeps } from './shared.js';

export interface CountedSecondFactorDeps extends SecondFactorDeps {
  /** The check runs in a transaction of its own; a wrong answer is recorded in another (it must commit). */
  unitOfWork: UnitOfWork;
  attempts: AttemptLimiter;
}

/**
 * Every second-factor check is counted (SPEC §2): the attempt is reserved before the check, so parallel
 * guesses cannot get more checks than the limit, and a wrong code counts as a failure.
 */
export function countedSecondFactor<T>(
  deps: CountedSecondFactorDeps,
  session: AuthenticatedSession,
  context: RequestContext,
  what: { method: 'totp' | 'recovery_code'; purpose: SecondFactorPurpose | 'enrolment' },
  check: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return withCountedAttempt(
    deps,
    'second-factor',
    { user: session.user.id, ip: context.ip },
    () => deps.unitOfWork.run(check),
    {
      isWrongAnswer: isWrongSecondFactor,
      lockoutEvent: lockoutOfSignedInUser(session, context),
      onFailure: (tx, lockout) =>
        recordUserEvent(tx, session.actor, context, 'auth.second_factor_failed', session.user.id, {
          ...what,
          ...(lockout ? { lockoutSeconds: Math.ceil(lockout.lockoutMs / 1000) } : {}),
        }),
    },
  );
}
