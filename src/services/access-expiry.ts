import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { EXPIRY_WARNING_MS } from '../domain/access-ends.js';
import { recordEvent } from './activity.js';
import { notifyAccessExpiring } from './notifications.js';
import { offboardGuest } from './partners.js';

/**
 * Access that ends (SPEC §8a), after the fact: the access check already refuses a grant or a guest whose
 * end has come; this sweeper then ends them as a removal does (grant deleted, guest offboarded) with the
 * expiry named as the cause, and warns the sponsor and the host admins seven days ahead, once. Safe with
 * several servers: rows are claimed with SKIP LOCKED and each step changes them so it runs once.
 */

const BATCH = 200;
const BY_THE_SYSTEM: RequestContext = { ip: null, userAgent: null };

/** Ends grants whose **Access until** has come; returns how many. */
export async function endExpiredGrants(tx: Kysely<Database>, now: Date): Promise<number> {
  const grants = await tx
    .selectFrom('grants as g')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .leftJoin('grants as parent', 'parent.id', 'g.parent_grant_id')
    .select([
      'g.id',
      'g.account_id',
      'g.user_id',
      'g.partner_id',
      'g.role',
      'g.expires_at',
      'a.workspace_id',
      'parent.partner_id as parent_partner_id',
    ])
    .where('g.expires_at', '<=', now)
    .orderBy('g.expires_at')
    .limit(BATCH)
    .forUpdate('g')
    .skipLocked()
    .execute();
  for (const grant of grants) {
    // Onward shares hanging from an ended partner share go with it (ON DELETE CASCADE), as on removal.
    const deleted = await tx.deleteFrom('grants').where('id', '=', grant.id).returning('id').executeTakeFirst();
    if (!deleted) continue;
    await recordEvent(tx, {
      workspaceId: grant.workspace_id,
      actorId: null,
      action: 'account.access_expired',
      targetType: 'account',
      targetId: grant.account_id,
      context: BY_THE_SYSTEM,
      details: {
        ...(grant.user_id && { userId: grant.user_id }),
        ...((grant.partner_id ?? grant.parent_partner_id) && {
          partnerId: grant.partner_id ?? grant.parent_partner_id,
        }),
        role: grant.role,
        accessUntil: grant.expires_at!.toISOString(),
        cause: 'expiry',
      },
    });
  }
  return grants.length;
}

/** Offboards guests whose **Guest access ends on** has come, as **Remove** does; returns how many. */
export async function endExpiredGuests(tx: Kysely<Database>, now: Date): Promise<number> {
  const guests = await tx
    .selectFrom('users as u')
    .leftJoin('partner_members as pm', (join) =>
      join.onRef('pm.user_id', '=', 'u.id').on('pm.role', '<>', 'host_admin'),
    )
    .select(['u.id', 'u.workspace_id', 'u.access_ends_at', 'pm.partner_id', 'pm.role'])
    .where('u.kind', '=', 'guest')
    .where('u.access_ends_at', '<=', now)
    .where('u.status', '<>', 'deactivated')
    .orderBy('u.access_ends_at')
    .limit(BATCH)
    .forUpdate('u')
    .skipLocked()
    .execute();
  for (const guest of guests) {
    const audit = { workspaceId: guest.workspace_id, actorId: null, context: BY_THE_SYSTEM };
    const details = { partnerId: guest.partner_id, accessEndsAt: guest.access_ends_at!.toISOString(), cause: 'expiry' };
    if (guest.partner_id)
      await offboardGuest(tx, guest.id, guest.partner_id, { ...audit, reason: 'guest_access_ended' });
    else
      await tx
        .updateTable('users')
        .set({ status: 'deactivated', updated_at: sql`now()` })
        .where('id', '=', guest.id)
        .execute();
    await recordEvent(tx, {
      ...audit,
      action: 'partner.guest_access_ended',
      targetType: 'user',
      targetId: guest.id,
      details,
    });
    await recordEvent(tx, {
      ...audit,
      action: 'user.deactivated',
      targetType: 'user',
      targetId: guest.id,
      details: { reason: 'guest_access_ended', partnerId: guest.partner_id },
    });
  }
  return guests.length;
}

/** The host admins of a partner (the notification goes to those who are active). */
async function hostAdminsOf(tx: Kysely<Database>, partnerId: string | null): Promise<string[]> {
  if (!partnerId) return [];
  const rows = await tx
    .selectFrom('partner_members')
    .select('user_id')
    .where('partner_id', '=', partnerId)
    .where('role', '=', 'host_admin')
    .execute();
  return rows.map((row) => row.user_id);
}

/**
 * Warns of every grant and guest ending within seven days that was not warned of yet: the sponsor (who
 * shared, who invited) and the host admins of the partner concerned; a member losing a direct share is
 * told too. Returns how many endings were warned of.
 */
export async function warnOfEndingAccess(tx: Kysely<Database>, now: Date): Promise<number> {
  const horizon = new Date(now.getTime() + EXPIRY_WARNING_MS);
  const grants = await tx
    .selectFrom('grants as g')
    .innerJoin('accounts as a', 'a.id', 'g.account_id')
    .leftJoin('grants as parent', 'parent.id', 'g.parent_grant_id')
    .leftJoin('users as u', 'u.id', 'g.user_id')
    .leftJoin('partners as p', (join) =>
      join.on((eb) => eb('p.id', '=', eb.fn.coalesce('g.partner_id', 'parent.partner_id'))),
    )
    .select([
      'g.id',
      'g.account_id',
      'g.user_id',
      'g.granted_by',
      'g.expires_at',
      'a.workspace_id',
      'a.name as account_name',
      'u.display_name as user_name',
      'u.kind as user_kind',
      'p.id as partner_id',
      'p.name as partner_name',
    ])
    .where('g.expires_at', '>', now)
    .where('g.expires_at', '<=', horizon)
    .where('g.expiry_warned_at', 'is', null)
    .where('a.deleted_at', 'is', null)
    .limit(BATCH)
    .forUpdate('g')
    .skipLocked()
    .execute();
  for (const grant of grants) {
    await tx.updateTable('grants').set({ expiry_warned_at: now }).where('id', '=', grant.id).execute();
    const whose = grant.user_name ?? grant.partner_name ?? 'Someone';
    const losing = grant.user_kind === 'member' && grant.user_id ? [grant.user_id] : [];
    await notifyAccessExpiring(tx, {
      userIds: [
        ...(grant.granted_by ? [grant.granted_by] : []),
        ...(await hostAdminsOf(tx, grant.partner_id)),
        ...losing,
      ],
      whatEnds: `${whose}'s access to ${grant.account_name}`,
      endsAt: grant.expires_at!,
      path: `/app/accounts/${grant.account_id}`,
      linkLabel: 'Open the account',
    });
  }
  const guests = await tx
    .selectFrom('users as u')
    .leftJoin('partner_members as pm', (join) =>
      join.onRef('pm.user_id', '=', 'u.id').on('pm.role', '<>', 'host_admin'),
    )
    .leftJoin('partners as p', 'p.id', 'pm.partner_id')
    .select([
      'u.id',
      'u.workspace_id',
      'u.display_name',
      'u.access_ends_at',
      'pm.partner_id',
      'p.name as partner_name',
      (eb) =>
        eb
          .selectFrom('invitations as i')
          .select('i.invited_by')
          .whereRef('i.user_id', '=', 'u.id')
          .orderBy('i.created_at', 'desc')
          .limit(1)
          .as('sponsor_id'),
    ])
    .where('u.kind', '=', 'guest')
    .where('u.status', '<>', 'deactivated')
    .where('u.access_ends_at', '>', now)
    .where('u.access_ends_at', '<=', horizon)
    .where('u.access_end_warned_at', 'is', null)
    .limit(BATCH)
    .forUpdate('u')
    .skipLocked()
    .execute();
  for (const guest of guests) {
    await tx.updateTable('users').set({ access_end_warned_at: now }).where('id', '=', guest.id).execute();
    await notifyAccessExpiring(tx, {
      userIds: [...(guest.sponsor_id ? [guest.sponsor_id] : []), ...(await hostAdminsOf(tx, guest.partner_id))],
      whatEnds: `The guest access of ${guest.display_name}${guest.partner_name ? ` (${guest.partner_name})` : ''}`,
      endsAt: guest.access_ends_at!,
      path: guest.partner_id ? `/app/partners/${guest.partner_id}/members/${guest.id}` : '/app/partners',
      linkLabel: 'Open the guest',
    });
  }
  return grants.length + guests.length;
}

/** One pass: end what has ended, then warn of what ends within seven days. */
export async function sweepAccessEnds(unitOfWork: UnitOfWork, now: Date) {
  const grants = await unitOfWork.run((tx) => endExpiredGrants(tx, now));
  const guests = await unitOfWork.run((tx) => endExpiredGuests(tx, now));
  const warned = await unitOfWork.run((tx) => warnOfEndingAccess(tx, now));
  return { grants, guests, warned };
}

interface SweeperLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Runs sweepAccessEnds once a minute (and at start), by the server's clock. */
export function startAccessExpirySweeper(
  unitOfWork: UnitOfWork,
  clock: Clock,
  logger: SweeperLogger,
  intervalMs = 60_000,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = sweepAccessEnds(unitOfWork, new Date(clock.now())).then(
      (counts) => {
        if (counts.grants + counts.guests + counts.warned > 0) logger.info(counts, 'Access ends swept');
      },
      (error: unknown) => logger.error({ err: error }, 'Sweeping access ends failed'),
    );
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
