import { sql } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid, type FieldError } from '../domain/errors.js';
import { checkPassword } from '../domain/password-policy.js';
import { hashPassword } from '../crypto/passwords.js';
import { hashToken } from '../crypto/tokens.js';
import { recordEvent } from './activity.js';
import { endSessionsOf } from './partner-access.js';
import { notifyGuestJoined } from './notifications.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';
import { openSession } from './sessions/open-session.js';
import { verifyStoredPassword, type TemporaryPasswordKeys } from './temporary-passwords.js';

export interface FirstPasswordInput {
  newPassword: string;
  newPasswordAgain: string;
  givenName: string;
  familyName: string;
}

/**
 * The first sign-in's **Change Password**: the temporary password is replaced, the names are set, the
 * user becomes active, the invitation is accepted and the session is replaced by a new one.
 * Returns the new session token. The password checks and the new hash (argon2) run before the
 * transaction, so it holds no locks through them.
 */
export async function changeTemporaryPassword(
  unitOfWork: UnitOfWork,
  clock: Clock,
  keys: TemporaryPasswordKeys,
  session: AuthenticatedSession,
  input: FirstPasswordInput,
  context: RequestContext,
): Promise<string> {
  const { db } = unitOfWork;
  const { user } = session;
  if (!user.must_change_password) throw conflict('password-already-changed', 'Your password was already changed.');
  const workspace = await db
    .selectFrom('workspaces')
    .select('password_min_length')
    .where('id', '=', user.workspace_id)
    .executeTakeFirstOrThrow();
  const invitation = await db
    .selectFrom('invitations')
    .select(['id', 'partner_id', 'temp_password_hash', 'state'])
    .where('user_id', '=', user.id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();

  const errors: FieldError[] = checkPassword(
    input.newPassword,
    { username: user.username, email: user.email },
    { minLength: workspace.password_min_length },
  ).map((message) => ({ path: 'newPassword', message }));
  const temporaryHash = invitation?.temp_password_hash ?? user.password_hash;
  if (
    temporaryHash &&
    (await verifyStoredPassword(db, keys, user.workspace_id, temporaryHash, input.newPassword, { equalTiming: false }))
  ) {
    errors.push({ path: 'newPassword', message: 'Choose a password different from the temporary one.' });
  }
  if (input.newPassword !== input.newPasswordAgain) {
    errors.push({ path: 'newPasswordAgain', message: 'The two passwords do not match.' });
  }
  if (errors.length > 0) throw invalid('password-change-invalid', errors.map((e) => e.message).join(' '), errors);

  const passwordHash = await hashPassword(input.newPassword);
  return unitOfWork.run(async (tx) => {
    const wasInvited = user.status === 'invited';
    await tx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        must_change_password: false,
        status: 'active',
        given_name: input.givenName,
        family_name: input.familyName,
        display_name: `${input.givenName} ${input.familyName}`,
        updated_at: sql`now()`,
      })
      .where('id', '=', user.id)
      .execute();
    const event = { workspaceId: user.workspace_id, actorId: user.id, targetType: 'user', targetId: user.id, context };
    // After an admin's Reset password (an active user), the temporary password is the user's own hash.
    await recordEvent(tx, {
      ...event,
      action: 'user.password_changed',
      details: wasInvited ? { first: true } : { temporary: true },
    });
    if (invitation && invitation.state === 'pending') {
      await tx
        .updateTable('invitations')
        .set({ state: 'accepted', accepted_at: sql`now()`, temp_password_hash: null, updated_at: sql`now()` })
        .where('id', '=', invitation.id)
        .execute();
      await recordEvent(tx, {
        ...event,
        action: 'user.joined',
        details: { invitationId: invitation.id, partnerId: invitation.partner_id },
      });
      await notifyGuestJoined(tx, user.id, invitation.id);
    }
    if (wasInvited) await recordEvent(tx, { ...event, action: 'user.activated' });
    // Rotation: every session opened with the temporary password ends; a fresh one continues.
    await endSessionsOf(tx, user.id);
    const token = await openSession(tx, clock, user.id, user.workspace_id, context);
    // After an admin's Reset password, a guest with MFA passed their second factor before this step (the
    // gates ask it first): the fresh session keeps that proof rather than asking for it again.
    const secondFactorAt = session.assurance.secondFactorAt;
    if (secondFactorAt) {
      await tx
        .updateTable('sessions')
        .set({ second_factor_at: secondFactorAt })
        .where('token_hash', '=', hashToken(token))
        .execute();
    }
    return token;
  });
}
