import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { describeUserAgent } from '../domain/devices.js';
import { notFound } from '../domain/errors.js';
import { recordEvent } from './activity.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';

/**
 * **Sessions** on Security (issue 11): a person sees where they are signed in — the web app in each
 * browser, and each connected client app with its device's name — and signs any of them out. Only their
 * own: another person's session is not found. An ended session is out at its next request, on any server.
 */

export interface SessionView {
  id: string;
  /** The session this request came from. */
  current: boolean;
  startedAt: string;
  lastSeenAt: string;
  ip: string | null;
  browser: string;
  os: string;
  /** A client app's session: the device it connected as. Null for the web app. */
  clientApp: { deviceId: string; deviceName: string; kind: string } | null;
}

export async function listOwnSessions(
  db: Kysely<Database>,
  clock: Clock,
  session: AuthenticatedSession,
): Promise<SessionView[]> {
  const now = new Date(clock.now());
  const rows = await db
    .selectFrom('sessions as s')
    .leftJoin('devices as d', 'd.id', 's.device_id')
    .select([
      's.id',
      's.created_at',
      's.last_seen_at',
      's.ip',
      's.user_agent',
      'd.id as device_id',
      'd.name as device_name',
      'd.kind as device_kind',
    ])
    .where('s.user_id', '=', session.user.id)
    .where('s.ended_at', 'is', null)
    .where('s.idle_expires_at', '>', now)
    .where('s.absolute_expires_at', '>', now)
    .orderBy('s.last_seen_at', 'desc')
    .orderBy('s.id')
    .execute();
  return rows.map((row) => {
    const { browser, os } = describeUserAgent(row.user_agent);
    return {
      id: row.id,
      current: row.id === session.sessionId,
      startedAt: row.created_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
      ip: row.ip,
      browser,
      os,
      clientApp:
        row.device_id && row.device_name && row.device_kind
          ? { deviceId: row.device_id, deviceName: row.device_name, kind: row.device_kind }
          : null,
    };
  });
}

/** **Sign out** one of the person's sessions (the current one too: that is signing out here). */
export async function endOwnSession(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  sessionId: string,
  context: RequestContext,
): Promise<void> {
  const ended = await tx
    .updateTable('sessions')
    .set({ ended_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('user_id', '=', session.user.id)
    .where('ended_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!ended) throw notFound('Session', 'You have no such session, or it has already ended.');
  await recordEvent(tx, {
    workspaceId: session.workspace.id,
    actorId: session.user.id,
    action: 'auth.session_ended',
    targetType: 'session',
    targetId: sessionId,
    context,
    details: { by: 'user', current: sessionId === session.sessionId },
  });
}

/** **Sign out everywhere else**: every other session of the person ends; returns how many. */
export async function endOtherOwnSessions(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<number> {
  const ended = await tx
    .updateTable('sessions')
    .set({ ended_at: sql`now()` })
    .where('user_id', '=', session.user.id)
    .where('id', '<>', session.sessionId)
    .where('ended_at', 'is', null)
    .returning('id')
    .execute();
  await recordEvent(tx, {
    workspaceId: session.workspace.id,
    actorId: session.user.id,
    action: 'auth.other_sessions_ended',
    targetType: 'user',
    targetId: session.user.id,
    context,
    details: { count: ended.length },
  });
  return ended.length;
}
