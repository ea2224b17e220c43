/** How many failures are allowed, how long lockouts last, and the invitation limits (see attempt-limiter.ts). */

export interface AttemptPolicy {
  /** Failures allowed per user key before a lockout. */
  userFailures: number;
  /** Failures allowed per client address before a lockout. */
  ipFailures: number;
  /** Failures are counted in a window of this length starting at the first one (whole seconds). */
  windowMs: number;
  /** The first lockout; each further one within `levelMemoryMs` doubles, up to `maxLockoutMs`. */
  firstLockoutMs: number;
  maxLockoutMs: number;
  levelMemoryMs: number;
  /** Invitations, resends included, one person may send within `invitationWindowMs`. */
  invitationsPerInviter: number;
  /** Invitations, resends included, for one partner's guests within `invitationWindowMs`, whoever sends them. */
  invitationsPerPartner: number;
  invitationWindowMs: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = {
  userFailures: 5,
  ipFailures: 50,
  windowMs: 15 * 60 * 1000,
  firstLockoutMs: 60 * 1000,
  maxLockoutMs: 60 * 60 * 1000,
  levelMemoryMs: 24 * 60 * 60 * 1000,
  invitationsPerInviter: 20,
  invitationsPerPartner: 50,
  invitationWindowMs: 60 * 60 * 1000,
};
