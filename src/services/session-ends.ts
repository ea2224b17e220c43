import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { hashToken } from '../crypto/tokens.js';
import { hasEnded } from '../domain/access-ends.js';

/**
 * A client app's session that stopped working, explained (SPEC §7a): the popup tells the person why and
 * offers to connect again. Only asked after resolveSession refused a bearer token, so off the hot path.
 */

/** Why a client app's session no longer works, in words its popup can show (SPEC §7a). */
export type SessionEndReason =
  | 'signed_out'
  | 'device_removed'
  | 'device_denied'
  | 'user_deactivated'
  | 'guest_access_ended'
  | 'idle_timeout'
  | 'absolute_timeout'
  | 'client_app_not_approved'
  | 'unknown';

const SESSION_END_DETAILS: Record<SessionEndReason, string> = {
  signed_out: 'This session was signed out. Connect again to use your accounts.',
  device_removed: 'This device was removed from your trusted devices. Connect again to use your accounts.',
  device_denied: 'This device was denied. Connect again to ask anew.',
  user_deactivated: 'Your account was deactivated. Ask a workspace admin if you still need access.',
  guest_access_ended: 'Your guest access has ended. Ask the person who invited you if you still need access.',
  idle_timeout: 'The session ended after 2 hours without use. Connect again to use your accounts.',
  absolute_timeout: 'The session ended 12 hours after connecting. Connect again to use your accounts.',
  client_app_not_approved:
    'Your workspace no longer approves this client app. A workspace admin can approve it again under Workspace settings.',
  unknown: 'This session is not valid any more. Connect again to use your accounts.',
};

export const sessionEnded = (reason: SessionEndReason) => {
  const problem = new AppError('session-ended', 401, 'Session ended', SESSION_END_DETAILS[reason]);
  problem.extensions = { reason };
  return problem;
};

/**
 * Called only after a client app's bearer token was refused: looks the session up again, ended or not,
 * to tell the client why. Someone without a real token learns nothing (`unknown`).
 */
export async function explainEndedClientAppSession(
  db: Kysely<Database>,
  clock: Clock,
  token: string,
): Promise<AppError> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
    .leftJoin('devices as d', 'd.id', 's.device_id')
    .select([
      's.ended_at',
      's.idle_expires_at',
      's.absolute_expires_at',
      'u.status as user_status',
      'u.access_ends_at',
      'd.status as device_status',
      'd.kind as device_kind',
      'w.approved_client_apps',
    ])
    .where('s.token_hash', '=', hashToken(token))
    .where('s.device_id', 'is not', null)
    .executeTakeFirst();
  return sessionEnded(row ? endReason(row, clock.now()) : 'unknown');
}

function endReason(
  row: {
    ended_at: Date | null;
    idle_expires_at: Date;
    absolute_expires_at: Date;
    user_status: User['status'];
    access_ends_at: Date | null;
    device_status: string | null;
    device_kind: string | null;
    approved_client_apps: readonly string[];
  },
  now: number,
): SessionEndReason {
  if (hasEnded(row.access_ends_at, now)) return 'guest_access_ended';
  if (row.user_status === 'deactivated') return 'user_deactivated';
  if (row.device_status === 'removed' || row.device_status === null) return 'device_removed';
  if (row.device_status === 'denied') return 'device_denied';
  if (row.ended_at) return 'signed_out';
  if (row.device_kind && !row.approved_client_apps.includes(row.device_kind)) return 'client_app_not_approved';
  if (row.absolute_expires_at.getTime() <= now) return 'absolute_timeout';
  if (row.idle_expires_at.getTime() <= now) return 'idle_timeout';
  return 'unknown';
}
