/**
 * Access that ends (SPEC §8a): a share's **Access until** and a guest's **Guest access ends on** are
 * moments; from that moment on the grant or the guest counts as removed, whether or not the sweeper
 * has recorded the ending yet.
 */

/** How long before the end the sponsor and the host admins are told. */
export const EXPIRY_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

/** The grant or guest has ended at `now` (an end exactly now has ended). */
export function hasEnded(endsAt: Date | null | undefined, now: number): boolean {
  return endsAt != null && endsAt.getTime() <= now;
}

/** The ending falls within the warning window and has not been warned of yet. */
export function dueForWarning(endsAt: Date | null, warnedAt: Date | null, now: number): boolean {
  return endsAt !== null && warnedAt === null && !hasEnded(endsAt, now) && endsAt.getTime() - now <= EXPIRY_WARNING_MS;
}

/** Why a new end date is refused, or null: it must lie in the future (ending now is a removal). */
export function endDateRefusal(endsAt: Date, now: number): string | null {
  return endsAt.getTime() <= now ? 'Choose a moment in the future (to end access now, remove it).' : null;
}
