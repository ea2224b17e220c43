import { createHmac } from 'node:crypto';
import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { Database, Device, User, Workspace } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';

/** The workspace facts every request needs; load the full row where a use case needs more. */
export type WorkspaceSummary = Pick<Workspace, 'id' | 'slug' | 'name' | 'mode'>;
import type { Clock } from '../domain/clock.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { AppError } from '../domain/errors.js';
import { randomToken, hashToken } from '../crypto/tokens.js';
import { deriveKey } from '../crypto/seal.js';
import { passwordNeedsRehash, hashPassword, verifyAgainstDummy } from '../crypto/passwords.js';
import { verifyStoredPassword, type TemporaryPasswordKeys } from './temporary-passwords.js';
import { recordEvent } from './activity.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { withCountedAttemptOpen } from './attempts.js';
import { effectiveState } from '../domain/invitations.js';
import { formatUtc } from '../domain/time.js';
import { hasEnded } from '../domain/access-ends.js';
import {
  deviceIsTrusted,
  mfaEnrolmentRequiredFor,
  mfaRequiredFor,
  type SessionAssurance,
} from '../domain/assurance.js';
import { clientAppIsApproved } from '../domain/client-apps.js';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** …and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Sliding the idle expiry costs a write; do it at most this often per session. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export const invalidCredentials = () =>
  new AppError('invalid-credentials', 401, 'Sign-in failed', 'Wrong username or password.');

/** SPEC §2b: a member of an idp workspace, right password and all, signs in through the IdP instead. */
export const signInWithIdp = (workspaceName: string) =>
  new AppError(
    'sign-in-with-idp',
    403,
    "Sign in with your company's account",
    `${workspaceName} signs its members in through the company's identity provider, not with a Gatehouse password. Sign in with your company account instead.`,
  );

/**
 * A username that names nobody, as the activity log keeps it: what was typed may be a password typed
 * into the wrong field, so only an HMAC-SHA256 of it is stored, under a key derived from the master key
 * (a dump of the database cannot test guesses against it). Repeated tries of the same text give the
 * same value, so they can still be told apart and counted.
 */
export function unknownUsernameHash(masterKey: Buffer, workspaceId: string, username: string): string {
  return createHmac('sha256', deriveKey(masterKey, 'activity-unknown-username'))
    .update(`${workspaceId}:${username}`)
    .digest('base64url');
}

export interface SignInInput {
  workspaceSlug: string;
  username: string;
  password: string;
}

export interface SignedIn {
  token: string;
  user: User;
  workspace: WorkspaceSummary;
  /** The new session as the next request will see it, built from what sign-in read and wrote. */
  session: AuthenticatedSession;
}

const guestAccessEnded = (endedAt: Date) =>
  new AppError(
    'guest-access-ended',
    401,
    'Guest access ended',
    `Your guest access ended on ${formatUtc(endedAt)}. Ask the person who invited you if you still need access.`,
  );

/**
 * What a removed guest is told on signing in with their password (rather than "Wrong username or
 * password"): that their access ended, and whom to ask — who invited them, from their newest invitation.
 */
async function guestRemoved(db: Kysely<Database>, userId: string, workspaceName: string): Promise<AppError> {
  const last = await db
    .selectFrom('invitations as i')
    .innerJoin('partners as p', 'p.id', 'i.partner_id')
    .leftJoin('users as inviter', (join) =>
      join.onRef('inviter.id', '=', 'i.invited_by').on('inviter.status', '=', 'active'),
    )
    .select(['p.name as partner_name', 'inviter.display_name as inviter_name'])
    .where('i.user_id', '=', userId)
    .orderBy('i.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const whom = last?.inviter_name ? `${last.inviter_name} or another host admin` : 'a host admin';
  const of = last ? ` of ${last.partner_name}` : '';
  return new AppError(
    'guest-access-ended',
    401,
    'Guest access ended',
    `Your guest access to ${workspaceName} has ended: you were removed as a guest${of}. Ask ${whom} of ${workspaceName} if you still need access.`,
  );
}

/**
 * Checks the password and opens a new session. An unknown workspace, unknown user, deactivated user
 * and wrong password all give the same answer, after the same argon2 work.
 *
 * Brute-force protection (SPEC §2): an attempt is reserved on the user and the client address before
 * any argon2 work, with the same key treatment for unknown and known usernames, so a lockout tells
 * nothing about which usernames exist. A refused attempt (429) writes nothing: a flood writes no rows.
 *
 * It takes the unit of work rather than a transaction: the argon2 work runs outside any transaction (it
 * must hold no connection or lock), then a failure or the new session is written in a transaction of its own.
 *
 * Round trips (issue 15): one query reads the workspace, the user, a guest's newest invitation and what
 * the response needs (second factor, terms, the trusted device of `deviceSecret`); the attempt counters
 * take one update to reserve and, on the database store, reset inside the session's own insert; the
 * response is built from what was read and written, not read back.
 */
export async function signIn(
  unitOfWork: UnitOfWork,
  deps: { attempts: AttemptLimiter; masterKey: Buffer; clock: Clock; keyring: TemporaryPasswordKeys },
  input: SignInInput,
  context: RequestContext,
  replacedToken?: string,
  deviceSecret?: string,
): Promise<SignedIn> {
  const { db } = unitOfWork;
  const username = input.username.trim().toLowerCase();
  const row = await db
    .selectFrom('workspaces as w')
    .leftJoin('users as u', (join) =>
      join.onRef('u.workspace_id', '=', 'w.id').on(sql<string>`lower(u.username)`, '=', username),
    )
    // An invited guest signs in with the temporary password held by their newest invitation.
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('invitations as i')
          .innerJoin('partners as p', 'p.id', 'i.partner_id')
          .leftJoin('users as inviter', 'inviter.id', 'i.invited_by')
          .select([
            'i.state',
            'i.expires_at',
            'i.temp_password_hash',
            'p.name as partner_name',
            'inviter.display_name as inviter_name',
          ])
          .whereRef('i.user_id', '=', 'u.id')
          .where('u.status', '=', 'invited')
          .orderBy('i.created_at', 'desc')
          .limit(1)
          .as('inv'),
      (join) => join.onTrue(),
    )
    .leftJoin('devices as d', (join) =>
      join
        .onRef('d.user_id', '=', 'u.id')
        .on('d.secret_hash', '=', deviceSecret ? hashToken(deviceSecret) : '')
        .on('d.status', '<>', 'removed'),
    )
    .selectAll('u')
    .select([
      'w.id as w_id',
      'w.slug as w_slug',
      'w.name as w_name',
      'w.mode as w_mode',
      'w.approved_client_apps as w_approved_client_apps',
      'inv.state as inv_state',
      'inv.expires_at as inv_expires_at',
      'inv.temp_password_hash as inv_temp_password_hash',
      'inv.partner_name as inv_partner_name',
      'inv.inviter_name as inv_inviter_name',
      'd.id as device_id',
      'd.name as device_name',
      'd.kind as device_kind',
      'd.status as device_status',
      'd.approved_until as device_approved_until',
      sql<boolean>`EXISTS (
        SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL
      )`.as('mfa_enabled'),
      sql<boolean>`EXISTS (
        SELECT 1 FROM terms_versions tv
        WHERE tv.workspace_id = w.id
          AND tv.version = (SELECT max(version) FROM terms_versions WHERE workspace_id = w.id)
          AND NOT EXISTS (SELECT 1 FROM terms_acceptances ta WHERE ta.user_id = u.id AND ta.terms_version_id = tv.id)
      )`.as('terms_pending'),
    ])
    .where('w.slug', '=', input.workspaceSlug)
    .executeTakeFirst();
  const workspace = row ? { id: row.w_id } : undefined;
  // A row with a user id holds the whole user (the left join fills every column).
  const found = row?.id ? (row as typeof row & User) : undefined;
  const invitation =
    found?.status === 'invited' && row?.inv_state
      ? {
          state: row.inv_state,
          expires_at: row.inv_expires_at!,
          temp_password_hash: row.inv_temp_password_hash,
          partner_name: row.inv_partner_name!,
          inviter_name: row.inv_inviter_name,
        }
      : undefined;
  // A guest whose **Guest access ends on** has come is told so, once they prove the password (SPEC §8a).
  const accessEnded = found !== undefined && found.kind === 'guest' && hasEnded(found.access_ends_at, deps.clock.now());
  // A guest removed from their partner (or whose partner was removed) is told so too, once they prove it.
  const removedGuest = found?.status === 'deactivated' && found.kind === 'guest' && !accessEnded;
  const hash =
    found?.status === 'active' || (found?.status === 'deactivated' && (accessEnded || removedGuest))
      ? found.password_hash
      : invitation?.temp_password_hash;
  // A temporary password is copied from a mail, whose layout can add spaces or a line break around it
  // (it never holds whitespace itself); a chosen password is taken exactly as typed. An active user who
  // must change their password holds a temporary one too, after a Reset password.
  const temporary = found?.status === 'invited' || (found?.status === 'active' && found.must_change_password);
  const password = temporary ? input.password.trim() : input.password;

  // The username as stored for a known user; for an unknown one, only its keyed hash.
  const typed = () =>
    found
      ? { username: found.username }
      : { usernameHash: unknownUsernameHash(deps.masterKey, workspace!.id, username) };
  const recordFailure = (tx: Kysely<Database>, reason: string) =>
    recordEvent(tx, {
      workspaceId: workspace!.id,
      actorId: found?.id ?? null,
      action: 'auth.sign_in_failed',
      targetType: found ? 'user' : undefined,
      targetId: found?.id,
      context,
      details: { ...typed(), reason },
    });
  const wrongCredentials = invalidCredentials();
  // A right temporary password is a right password, even if its invitation has since expired.
  // The check throws before it answers when refused (the argon2 cap): that attempt does not count.
  const { success } = await withCountedAttemptOpen(
    { unitOfWork, attempts: deps.attempts },
    'password',
    { user: `${workspace?.id ?? `slug:${input.workspaceSlug}`}:${username}`, ip: context.ip },
    async () => {
      const ok = hash
        ? await verifyStoredPassword(db, deps.keyring, workspace!.id, hash, password)
        : await verifyAgainstDummy(password);
      if (!found || !ok) throw wrongCredentials;
    },
    {
      isWrongAnswer: (error) => error === wrongCredentials,
      lockoutEvent: workspace
        ? { workspaceId: workspace.id, actorId: null, userId: found?.id, context, details: found ? {} : typed() }
        : null,
      onFailure: workspace ? (tx) => recordFailure(tx, found ? 'wrong_password' : 'unknown_user') : undefined,
    },
  );
  const fail = async (reason: string, error: AppError) => {
    await success.succeeded();
    await unitOfWork.run((tx) => recordFailure(tx, reason));
    return error;
  };
  if (!found) throw wrongCredentials;
  // SPEC §2b: in an idp workspace, members sign in through the IdP. Only someone who knows the password
  // learns it (a wrong one was answered above as for anyone), so the answer tells no stranger who is a
  // member. The owner keeps the break-glass local sign-in (MFA before anything else, logged each time);
  // guests always use their Gatehouse password.
  const idpMode = found.w_mode === 'idp' && found.kind === 'member';
  if (idpMode && found.role !== 'owner') {
    throw await fail('sign_in_with_idp', signInWithIdp(found.w_name));
  }
  if (accessEnded) throw await fail('guest_access_ended', guestAccessEnded(found.access_ends_at!));
  if (removedGuest) throw await fail('guest_removed', await guestRemoved(db, found.id, found.w_name));
  // Only someone who knows the temporary password learns what became of their invitation.
  if (invitation) {
    const state = effectiveState(invitation);
    const resender = invitation.inviter_name ? `${invitation.inviter_name} or another host admin` : 'a host admin';
    if (state === 'expired') {
      throw await fail(
        'temporary_password_expired',
        new AppError(
          'temporary-password-expired',
          401,
          'Temporary password expired',
          `Your temporary password expired on ${formatUtc(invitation.expires_at)}. Ask ${resender} of ${invitation.partner_name} to resend the invitation.`,
        ),
      );
    }
    if (state !== 'pending') {
      throw await fail(
        'invitation_revoked',
        new AppError(
          'invitation-revoked',
          401,
          'Invitation revoked',
          `This invitation was revoked. Ask ${resender} of ${invitation.partner_name} if you still need access.`,
        ),
      );
    }
  }

  // Only an argon2 hash can need new parameters (a keyed temporary-password hash is not argon2).
  const rehashed =
    found.status === 'active' && hash!.startsWith('$argon2') && passwordNeedsRehash(hash!)
      ? await hashPassword(password)
      : undefined;
  let opened: OpenedSession;
  let folded = false;
  try {
    opened = await unitOfWork.run(async (tx) => {
      if (rehashed) {
        await tx
          .updateTable('users')
          .set({ password_hash: rehashed, updated_at: sql`now()` })
          .where('id', '=', found.id)
          .execute();
      }
      // The counters forget the user's failures in the session's own insert, when the store can.
      const fold = success.successInStatement();
      folded = fold !== undefined;
      let insert: QueryCreator<Database> = fold?.(tx) ?? tx;
      // Rotation: whatever session the browser presented before signing in ends here, in the same insert.
      if (replacedToken) {
        insert = insert.with('replaced_session', (q) =>
          q
            .updateTable('sessions')
            .set({ ended_at: sql`now()` })
            .where('token_hash', '=', hashToken(replacedToken))
            .where('ended_at', 'is', null)
            .returning('id'),
        ) as unknown as QueryCreator<Database>;
      }
      const session = await insertSession(insert, tx, deps.clock, found.id, found.workspace_id, context);
      if (idpMode) {
        // The owner's break-glass local sign-in of an idp workspace: every use is on the record.
        await recordEvent(tx, {
          workspaceId: found.workspace_id,
          actorId: found.id,
          action: 'auth.break_glass_sign_in',
          targetType: 'user',
          targetId: found.id,
          context,
        });
      }
      return session;
    });
  } catch (error) {
    // The password was right although no session could be opened: the counters forget the failures.
    await success.succeeded().catch(() => undefined);
    throw error;
  }
  // A store that could not reset the counters in the insert (Redis, memory) resets them now.
  if (!folded) await success.succeeded();

  const {
    w_id,
    w_slug,
    w_name,
    w_mode,
    w_approved_client_apps,
    inv_state,
    inv_expires_at,
    inv_temp_password_hash,
    inv_partner_name,
    inv_inviter_name,
    device_id,
    device_name,
    device_kind,
    device_status,
    device_approved_until,
    mfa_enabled,
    terms_pending,
    ...user
  } = found;
  const session = toAuthenticatedSession(
    {
      ...user,
      session_id: opened.id,
      absolute_expires_at: opened.absoluteExpiresAt,
      second_factor_at: opened.secondFactorAt,
      identity_confirmed_at: null,
      device_id,
      device_name,
      device_kind,
      device_status,
      device_approved_until,
      mfa_enabled,
      w_slug,
      w_name,
      w_mode,
      w_approved_client_apps,
      terms_pending,
    },
    deps.clock.now(),
  );
  return { token: opened.token, user: session.user, workspace: session.workspace, session };
}

export interface AuthenticatedSession {
  sessionId: string;
  actor: Actor;
  user: User;
  workspace: WorkspaceSummary;
  /**
   * Steps the server requires before anything else: the second factor at sign-in (SPEC §2), then the
   * first-sign-in gates (SPEC §4).
   */
  pending: { secondFactor: boolean; passwordChange: boolean; terms: boolean };
  assurance: SessionAssurance;
}

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

/** What a session's user, workspace, device and state are read as (resolveSession), or known as (signIn). */
interface SessionFacts extends User {
  session_id: string;
  absolute_expires_at: Date;
  second_factor_at: Date | null;
  identity_confirmed_at: Date | null;
  device_id: string | null;
  device_name: string | null;
  device_kind: Device['kind'] | null;
  device_status: Device['status'] | null;
  device_approved_until: Date | null;
  mfa_enabled: boolean;
  w_slug: string;
  w_name: string;
  w_mode: Workspace['mode'];
  w_approved_client_apps: Workspace['approved_client_apps'];
  terms_pending: boolean;
}

function toAuthenticatedSession(facts: SessionFacts, now: number): AuthenticatedSession {
  const {
    session_id,
    absolute_expires_at,
    w_slug,
    w_name,
    w_mode,
    w_approved_client_apps,
    terms_pending,
    second_factor_at,
    identity_confirmed_at,
    device_id,
    device_name,
    device_kind,
    device_status,
    device_approved_until,
    mfa_enabled,
    ...user
  } = facts;
  void absolute_expires_at;
  const device =
    device_id && device_name && device_status && device_kind
      ? {
          id: device_id,
          name: device_name,
          kind: device_kind,
          status: device_status,
          approvedUntil: device_approved_until,
        }
      : null;
  // A device whose kind the workspace stopped approving keeps its status, but gets no secret from now on.
  const clientAppApproved = device === null || clientAppIsApproved(device.kind, w_approved_client_apps);
  return {
    sessionId: session_id,
    actor: { userId: user.id, workspaceId: user.workspace_id, role: user.role, status: user.status, at: now },
    user,
    workspace: { id: user.workspace_id, slug: w_slug, name: w_name, mode: w_mode },
    pending: {
      secondFactor: mfa_enabled && second_factor_at === null,
      passwordChange: user.must_change_password,
      terms: terms_pending,
    },
    assurance: {
      mfaRequired: mfaRequiredFor(user, { mode: w_mode }, { secondFactorAt: second_factor_at }),
      mfaEnrolmentRequired: mfaEnrolmentRequiredFor(
        user,
        { mode: w_mode },
        { secondFactorAt: second_factor_at, mfaEnabled: mfa_enabled },
      ),
      mfaEnabled: mfa_enabled,
      secondFactorAt: second_factor_at,
      identityConfirmedAt: identity_confirmed_at,
      device,
      clientAppApproved,
      trusted: clientAppApproved && deviceIsTrusted(device, now),
    },
  };
}

export async function signOut(
  tx: Kysely<Database>,
  session: AuthenticatedSession,
  context: RequestContext,
): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ ended_at: sql`now()` })
    .where('id', '=', session.sessionId)
    .execute();
  await recordEvent(tx, {
    workspaceId: session.workspace.id,
    actorId: session.user.id,
    action: 'auth.signed_out',
    targetType: 'session',
    targetId: session.sessionId,
    context,
  });
}

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

interface OpenedSession {
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
async function insertSession(
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
