import { AppError } from '../domain/errors.js';
import type { AttemptPolicy } from './attempt-policy.js';

/** The 429 problems the attempt limiter answers with. */

export class TooManyAttemptsError extends AppError {
  constructor(override readonly retryAfterMs: number) {
    super(
      'too-many-attempts',
      429,
      'Too many attempts',
      `Too many failed attempts. Try again in ${waitText(retryAfterMs)}.`,
    );
  }
}

function waitText(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Too many invitations sent by one person, or for one partner's guests, in the window (issue 13). */
export class InvitationsRateLimitedError extends AppError {
  constructor(
    override readonly retryAfterMs: number,
    on: 'inviter' | 'partner',
    policy: AttemptPolicy,
  ) {
    const window = waitText(policy.invitationWindowMs);
    super(
      'invitations-rate-limited',
      429,
      'Too many invitations',
      on === 'inviter'
        ? `You have sent ${policy.invitationsPerInviter} invitations within ${window}, the most allowed. Try again in ${waitText(retryAfterMs)}.`
        : `The guests of this partner were sent ${policy.invitationsPerPartner} invitations within ${window}, the most allowed. Try again in ${waitText(retryAfterMs)}.`,
    );
  }
}

/** Too many requests of one kind from one client or person (see AttemptLimiter.takeAllowance). */
export class RateLimitedError extends AppError {
  constructor(override readonly retryAfterMs: number) {
    super('rate-limited', 429, 'Too many requests', `Too many requests. Try again in ${waitText(retryAfterMs)}.`);
  }
}
