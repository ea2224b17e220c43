import type { InvitationState } from './vocabulary.js';

/** Effective state: a pending invitation past its expiry is expired even before the sweeper marks it. */
export function effectiveState(
  invitation: { state: InvitationState; expires_at: Date },
  now = new Date(),
): InvitationState {
  return invitation.state === 'pending' && invitation.expires_at.getTime() <= now.getTime()
    ? 'expired'
    : invitation.state;
}
