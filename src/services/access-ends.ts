import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { endDateRefusal } from '../domain/access-ends.js';
import { invalid, notFound } from '../domain/errors.js';
import { partnerPolicy } from '../domain/policies/partners.js';
import { recordUserEvent } from './activity.js';
import { ensure, loadPartner } from './partner-access.js';

/**
 * The end a person chose for a share or a guest (SPEC §8a), checked against the request's moment: none
 * gives null (access without end); a moment that is not in the future is refused under its field.
 */
export function chosenEnd(actor: Actor, end: Date | null | undefined, field: string): Date | null {
  if (!end) return null;
  const refusal = endDateRefusal(end, actor.at ?? Date.now());
  if (refusal) throw invalid('access-end-not-in-future', refusal, [{ path: field, message: refusal }]);
  return end;
}

/**
 * **Guest access ends on** (SPEC §8a), set or cleared later by a host admin: from that moment the guest
 * can do nothing (the session and sign-in checks read it), and the sweeper then offboards them as
 * **Remove** does. A new date is warned of anew.
 */
export async function setGuestAccessEnd(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  userId: string,
  end: Date | null,
  context: RequestContext,
): Promise<void> {
  const { standing } = await loadPartner(tx, actor, partnerId, { lock: 'share' });
  const guest = await tx
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select(['u.id', 'u.status'])
    .where('pm.partner_id', '=', partnerId)
    .where('pm.user_id', '=', userId)
    .where('pm.role', '<>', 'host_admin')
    .forUpdate('u')
    .executeTakeFirst();
  if (!guest || guest.status === 'deactivated') throw notFound('Guest', 'This person is not a guest of this partner.');
  ensure(partnerPolicy.setGuestAccessEnd(standing), 'Only host admins can set when guest access ends.');
  const accessEndsAt = chosenEnd(actor, end, 'accessEndsAt');
  await tx
    .updateTable('users')
    .set({ access_ends_at: accessEndsAt, access_end_warned_at: null, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
  await recordUserEvent(tx, actor, context, 'partner.guest_access_end_set', userId, {
    partnerId,
    accessEndsAt: accessEndsAt?.toISOString() ?? null,
  });
}
