import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import { recordEvent } from './activity.js';
import type { Attempt, AttemptKeys, AttemptLimiter, AttemptScope, Lockout } from './attempt-limiter.js';

/**
 * The counted check (withCountedAttempt): every password, second factor and device code is checked through
 * it, over the counters of attempt-limiter.ts; it is the one writer of `auth.lockout_started`.
 */

/** Where the `auth.lockout_started` event of a counted check goes. */
export interface LockoutEventSubject {
  workspaceId: string;
  /** Who made the attempt, when known (a signed-in session); null for a password sign-in. */
  actorId: string | null;
  /** The user whose attempts are counted, when there is one (an unknown username has none). */
  userId?: string;
  context: RequestContext;
  /** Added after scope, on and seconds. */
  details?: Record<string, unknown>;
}

/** The lockout subject of a check made by a signed-in user about themself (second factor, device code). */
export function lockoutOfSignedInUser(
  session: { actor: { workspaceId: string; userId: string }; user: { id: string } },
  context: RequestContext,
): LockoutEventSubject {
  return { workspaceId: session.actor.workspaceId, actorId: session.actor.userId, userId: session.user.id, context };
}

export interface CountedCheckOptions {
  /** Tells a wrong answer (counted as a failure) from an error that kept the check from answering. */
  isWrongAnswer: (error: unknown) => boolean;
  /** Where to record a lockout this failure starts; null when there is no workspace to record it in. */
  lockoutEvent: LockoutEventSubject | null;
  /** What a wrong answer leaves in the activity log; runs in the lockout event's transaction, before it. */
  onFailure?: (tx: Kysely<Database>, lockout: Lockout | null) => Promise<void>;
}

/**
 * The one way to count a secret check (a password, a second factor, a device code): reserves the attempt
 * before `check` runs (TooManyAttemptsError when locked), so parallel guesses cannot get more checks than
 * the limit. A result is a right answer and forgets the user's failures; an error `isWrongAnswer` accepts
 * is a failure, recorded (with the lockout it starts) and rethrown; any other error means the check never
 * came to an answer (the database failed, the server was too busy) and gives the reservation back.
 */
export async function withCountedAttempt<T>(
  deps: { unitOfWork: UnitOfWork; attempts: AttemptLimiter },
  scope: AttemptScope,
  keys: AttemptKeys,
  check: () => Promise<T>,
  options: CountedCheckOptions,
): Promise<T> {
  const { result, success } = await withCountedAttemptOpen(deps, scope, keys, check, options);
  await success.succeeded();
  return result;
}

/**
 * withCountedAttempt, leaving a right answer's success to the caller, who reports it once: inside the
 * statement that acts on it (`success.successInStatement()`, for a sign-in, the session's insert), or with
 * `success.succeeded()`. A wrong answer or an error is handled as by withCountedAttempt.
 */
export async function withCountedAttemptOpen<T>(
  deps: { unitOfWork: UnitOfWork; attempts: AttemptLimiter },
  scope: AttemptScope,
  keys: AttemptKeys,
  check: () => Promise<T>,
  options: CountedCheckOptions,
): Promise<{ result: T; success: Pick<Attempt, 'succeeded' | 'successInStatement'> }> {
  const attempt = await deps.attempts.begin(scope, keys);
  let result: T;
  try {
    result = await check();
  } catch (error) {
    if (!options.isWrongAnswer(error)) {
      await attempt.abandoned();
      throw error;
    }
    const lockout = await attempt.failed();
    const subject = lockout ? options.lockoutEvent : null;
    if (options.onFailure || subject) {
      // Its own transaction: the failure is recorded although the request then fails.
      await deps.unitOfWork.run(async (tx) => {
        await options.onFailure?.(tx, lockout);
        if (lockout && subject) await recordLockoutStarted(tx, scope, lockout, subject);
      });
    }
    throw error;
  }
  return { result, success: attempt };
}

/** The only writer of `auth.lockout_started` (the metrics count it as brute_force_lockouts_total). */
function recordLockoutStarted(
  tx: Kysely<Database>,
  scope: AttemptScope,
  lockout: Lockout,
  subject: LockoutEventSubject,
): Promise<void> {
  return recordEvent(tx, {
    workspaceId: subject.workspaceId,
    actorId: subject.actorId,
    action: 'auth.lockout_started',
    targetType: subject.userId ? 'user' : undefined,
    targetId: subject.userId,
    context: subject.context,
    details: {
      scope,
      on: lockout.on.map((kind) => (kind === 'ip' ? 'address' : 'user')),
      seconds: Math.ceil(lockout.lockoutMs / 1000),
      ...subject.details,
    },
  });
}
