import { sql, type Kysely, type QueryCreator } from 'kysely';
import type { Database, User } from '../../db/schema.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import type { Clock } from '../../domain/clock.js';
import type { RequestContext } from '../../domain/actor.js';
import { AppError } from '../../domain/errors.js';
import { hashToken } from '../../crypto/tokens.js';
import { passwordNeedsRehash, hashPassword, verifyAgainstDummy } from '../../crypto/passwords.js';
import { verifyStoredPassword, type TemporaryPasswordKeys } from '../temporary-passwords.js';
import { recordEvent } from '../activity.js';
import type { AttemptLimiter } from '../attempt-limiter.js';
import { withCountedAttemptOpen } from '../attempts.js';
import { effectiveState } from '../../domain/invitations.js';
import { formatUtc } from '../../domain/time.js';
import { hasEnded } from '../../domain/access-ends.js';
import { toAuthenticatedSession, type AuthenticatedSession, type WorkspaceSummary } from './authenticated-session.js';
import { insertSession, type OpenedSession } from './open-session.js';
import { guestAccessEnded, guestRemoved, invalidCredentials, signInWithIdp } from './sign-in-problems.js';
import { unknownUsernameHash } from './unknown-username.js';

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
