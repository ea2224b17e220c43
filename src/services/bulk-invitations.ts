import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError } from '../domain/errors.js';
import { partnerPolicy } from '../domain/policies/partners.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { InvitationDeps } from './invitations/invitation-mail.js';
import type { Invited } from './invitations/invite-guest.js';
import { ensure, loadPartner } from './partner-access.js';
import { inviteGuestUser } from './partner-members.js';

/** Addresses one **Invite guest users** request may carry. */
export const MAX_INVITATIONS_PER_REQUEST = 100;

/** What became of one address: invited (null when withheld from a guest admin), or refused and why. */
export type GuestInvitationOutcome =
  | { email: string; invited: Invited | null; refused?: undefined }
  | { email: string; refused: AppError; invited?: undefined };

/** An address the caller could not even parse: refused with this problem, the others go on. */
export const invalidAddress = (message: string) =>
  new AppError('validation-failed', 422, 'Invalid request', message, [{ path: 'email', message }]);

/**
 * **Invite guest users** with several addresses. Each address is its own invitation: its own allowance
 * from the inviter's and the partner's hourly limits, its own transaction (so it is created whole or not
 * at all), and its own outcome; one refused address does not stop the others. Whether the actor may
 * invite at all is asked once up front (403/404 for the whole request), and again inside each invitation.
 *
 * `addresses` holds either an address or the problem that already refused it (an unparsable one), in
 * the order given; a repeat of an earlier address (ignoring case) is refused.
 */
export async function inviteGuestUsers(
  ports: { unitOfWork: UnitOfWork; attempts: Pick<AttemptLimiter, 'reserveInvitation'> },
  actor: Actor,
  partnerId: string,
  addresses: Array<{ email: string; refused?: AppError }>,
  deps: InvitationDeps,
  context: RequestContext,
  accessEndsAt?: Date | null,
): Promise<GuestInvitationOutcome[]> {
  // With one address its own transaction asks the same question, and its answer is the request's.
  if (addresses.length > 1) {
    const { standing } = await loadPartner(ports.unitOfWork.db, actor, partnerId);
    ensure(partnerPolicy.inviteGuests(standing), 'Only host admins and guest admins can invite guest users.');
  }
  const seen = new Set<string>();
  const outcomes: GuestInvitationOutcome[] = [];
  /** Whether an invitation's transaction has got past the policy: from then on a 403/404 is that address's. */
  let admitted = false;
  for (const { email, refused } of addresses) {
    if (refused) {
      outcomes.push({ email, refused });
      continue;
    }
    const key = email.toLowerCase();
    if (seen.has(key)) {
      outcomes.push({ email, refused: invalidAddress('This address appears earlier in the list.') });
      continue;
    }
    seen.add(key);
    try {
      const allowance = await ports.attempts.reserveInvitation({ inviterId: actor.userId, partnerId });
      try {
        const invited = await ports.unitOfWork.run((tx) =>
          inviteGuestUser(tx, actor, partnerId, email, deps, context, accessEndsAt),
        );
        outcomes.push({ email, invited });
        admitted = true;
      } catch (error) {
        await allowance.giveBack();
        throw error;
      }
    } catch (error) {
      // A rule refusing this address (taken, domain, limits) is said for it alone. Anything else (the
      // database went away), or being refused the partner itself before any invitation, ends the request
      // as any failure would.
      if (!(error instanceof AppError)) throw error;
      const aboutThePartner = error.status === 403 || error.status === 404;
      if (aboutThePartner && !admitted) throw error;
      if (!aboutThePartner && error.status !== 429) admitted = true;
      outcomes.push({ email, refused: error });
    }
  }
  return outcomes;
}
