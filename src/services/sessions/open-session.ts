import type { Kysely, QueryCreator } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { RequestContext } from '../../domain/actor.js';
import { randomToken, hashToken } from '../../crypto/tokens.js';
import { recordEvent } from '../activity.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './session-lifetime.js';

/**
 * Opens a session for a user who just proved who they are some other way (first-run set-up, a client
 * app the person approved). A client app's session is bound to its device and has passed the second
 * factor through the session that approved it.
 */
export async function openSession(
  tx: Kysely<Database>,
  clock: Clock,
  userId: string,
  workspaceId: string,
  context: RequestContext,
  clientApp?: { deviceId: string; secondFactorPassed: boolean },
  /** A sign-in through the workspace's IdP (SPEC §2b): how, and whether the IdP asserted a second factor. */
  sso?: { via: 'oidc' | 'saml'; secondFactorPassed: boolean; details?: Record<string, unknown> },
): Promise<string> {
  const { token } = await insertSession(tx, tx, clock, userId, workspaceId, context, clientApp, sso);
  return token;
}

export interface OpenedSession {
  token: string;
  id: string;
  absoluteExpiresAt: Date;
  secondFactorAt: Date | null;
}

/**
 * Inserts a session through `insert` (the transaction, or the transaction with WITH queries of the
 * caller's added: they run in the same statement) and records its event in `tx`. Returns the token and
 * what the response needs of the row, so nothing is read back.
 */
export async function insertSession(
  insert: QueryCreator<Database>,
  tx: Kysely<Database>,
  clock: Clock,
  userId: string,
  workspaceId: string,
  context: RequestContext,
  clientApp?: { deviceId: string; secondFactorPassed: boolean },
  sso?: { via: 'oidc' | 'saml'; secondFactorPassed: boolean; details?: Record<string, unknown> },
): Promise<OpenedSession> {
  const token = randomToken();
  const now = clock.now();
  const absoluteExpiresAt = new Date(now + SESSION_ABSOLUTE_MS);
  const secondFactorAt = clientApp?.secondFactorPassed || sso?.secondFactorPassed ? new Date(now) : null;
  const session = await insert
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      workspace_id: workspaceId,
      last_seen_at: new Date(now),
      idle_expires_at: new Date(now + SESSION_IDLE_MS),
      absolute_expires_at: absoluteExpiresAt,
      ip: context.ip,
      user_agent: context.userAgent,
      device_id: clientApp?.deviceId ?? null,
      second_factor_at: secondFactorAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    workspaceId,
    actorId: userId,
    action: 'auth.signed_in',
    targetType: 'session',
    targetId: session.id,
    context,
    ...(clientApp ? { details: { deviceId: clientApp.deviceId } } : {}),
    ...(sso ? { details: { via: sso.via, ...sso.details } } : {}),
  });
  return { token, id: session.id, absoluteExpiresAt, secondFactorAt };
}
