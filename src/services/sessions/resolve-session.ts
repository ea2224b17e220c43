import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import { hashToken } from '../../crypto/tokens.js';
import { hasEnded } from '../../domain/access-ends.js';
import { clientAppIsApproved } from '../../domain/client-apps.js';
import { toAuthenticatedSession, type AuthenticatedSession } from './authenticated-session.js';
import { SESSION_IDLE_MS } from './session-lifetime.js';

/** Sliding the idle expiry costs a write; do it at most this often per session. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/**
 * Resolves a session on every request: the web app's cookie, or a client app's bearer token (its
 * `clientApp` session, bound to the device it connected as). Reads the database each time, so an ended
 * session, a deactivated user or a removed device is out on the very next request, whichever server
 * instance answers it. A client app's session also ends when its device is denied or removed, when the
 * secret it presents is not its device's, and when the workspace stops approving its kind.
 */
export async function resolveSession(
  db: Kysely<Database>,
  clock: Clock,
  token: string,
  deviceSecret?: string,
  clientApp = false,
): Promise<AuthenticatedSession | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
    .leftJoin('devices as d', (join) =>
      join
        .onRef('d.user_id', '=', 's.user_id')
        .on('d.secret_hash', '=', deviceSecret ? hashToken(deviceSecret) : '')
        .on('d.status', '<>', 'removed')
        .on((eb) => eb.or([eb('s.device_id', 'is', null), eb('d.id', '=', eb.ref('s.device_id'))])),
    )
    .selectAll('u')
    .select([
      's.id as session_id',
      's.last_seen_at',
      's.idle_expires_at',
      's.absolute_expires_at',
      's.second_factor_at',
      's.identity_confirmed_at',
      'd.id as device_id',
      'd.name as device_name',
      'd.kind as device_kind',
      'd.status as device_status',
      'd.approved_until as device_approved_until',
      sql<boolean>`EXISTS (
        SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL
      )`.as('mfa_enabled'),
      'w.slug as w_slug',
      'w.name as w_name',
      'w.mode as w_mode',
      'w.approved_client_apps as w_approved_client_apps',
      sql<boolean>`EXISTS (
        SELECT 1 FROM terms_versions tv
        WHERE tv.workspace_id = s.workspace_id
          AND tv.version = (SELECT max(version) FROM terms_versions WHERE workspace_id = s.workspace_id)
          AND NOT EXISTS (SELECT 1 FROM terms_acceptances ta WHERE ta.user_id = u.id AND ta.terms_version_id = tv.id)
      )`.as('terms_pending'),
    ])
    .where('s.token_hash', '=', hashToken(token))
    .where('s.ended_at', 'is', null)
    .where('s.device_id', clientApp ? 'is not' : 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (
    clientApp &&
    (!row.device_id ||
      row.device_status === 'denied' ||
      !clientAppIsApproved(row.device_kind!, row.w_approved_client_apps))
  ) {
    return undefined;
  }
  const now = clock.now();
  if (
    row.idle_expires_at.getTime() <= now ||
    row.absolute_expires_at.getTime() <= now ||
    row.status === 'deactivated' ||
    hasEnded(row.access_ends_at, now)
  ) {
    return undefined;
  }
  if (now - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    const idle = Math.min(now + SESSION_IDLE_MS, row.absolute_expires_at.getTime());
    await db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(now), idle_expires_at: new Date(idle) })
      .where('id', '=', row.session_id)
      .execute();
    // My trusted devices shows when each device was last used; as coarse as the session's own touch.
    if (row.device_id) {
      await db
        .updateTable('devices')
        .set({ last_seen_at: new Date(now) })
        .where('id', '=', row.device_id)
        .execute();
    }
  }
  const { last_seen_at, idle_expires_at, ...rest } = row;
  return toAuthenticatedSession(rest, now);
}
