import { sql } from 'kysely';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { conflict, invalid, type FieldError } from '../domain/errors.js';
import { checkPassword } from '../domain/password-policy.js';
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { passwordChangedMail } from '../mail/password-mails.js';
import { recordEvent } from './activity.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { lockoutOfSignedInUser, withCountedAttempt } from './attempts.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';

export interface OwnPasswordInput {
  currentPassword: string;
  newPassword: string;
  newPasswordAgain: string;
}

export interface OwnPasswordDeps extends MailKeys {
  attempts: AttemptLimiter;
  clock: Clock;
  publicUrl: URL;
}

const wrongCurrentPassword = () =>
  invalid('current-password-wrong', 'Your current password is not right.', [
    { path: 'currentPassword', message: 'This is not your current password.' },
  ]);

/**
 * **Change password** on Security (issue 11): the current password (a counted attempt, as at sign-in)
 * and the workspace's policy; every other session of the person ends, this one stays, and the person is
 * emailed that it changed. The route also asks for a fresh identity confirmation. Returns how many other
 * sessions ended.
 */
export async function changeOwnPassword(
  unitOfWork: UnitOfWork,
  deps: OwnPasswordDeps,
  session: AuthenticatedSession,
  input: OwnPasswordInput,
  context: RequestContext,
): Promise<number> {
  const { user } = session;
  if (!user.password_hash) {
    throw conflict(
      'password-not-used',
      "You sign in through your company's identity provider: change your password there.",
    );
  }
  const currentHash = user.password_hash;
  const wrong = wrongCurrentPassword();
  await withCountedAttempt(
    { unitOfWork, attempts: deps.attempts },
    'password',
    { user: `${user.workspace_id}:${user.username.trim().toLowerCase()}`, ip: context.ip },
    async () => {
      if (!(await verifyPassword(currentHash, input.currentPassword))) throw wrong;
    },
    { isWrongAnswer: (error) => error === wrong, lockoutEvent: lockoutOfSignedInUser(session, context) },
  );

  const workspace = await unitOfWork.db
    .selectFrom('workspaces')
    .select(['password_min_length', 'name', 'slug'])
    .where('id', '=', user.workspace_id)
    .executeTakeFirstOrThrow();
  const errors: FieldError[] = checkPassword(
    input.newPassword,
    { username: user.username, email: user.email },
    { minLength: workspace.password_min_length },
  ).map((message) => ({ path: 'newPassword', message }));
  if (input.newPassword === input.currentPassword) {
    errors.push({ path: 'newPassword', message: 'Choose a password different from your current one.' });
  }
  if (input.newPassword !== input.newPasswordAgain) {
    errors.push({ path: 'newPasswordAgain', message: 'The two passwords do not match.' });
  }
  if (errors.length > 0) throw invalid('password-change-invalid', errors.map((e) => e.message).join(' '), errors);

  const passwordHash = await hashPassword(input.newPassword);
  return unitOfWork.run(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: sql`now()` })
      .where('id', '=', user.id)
      .execute();
    const ended = await tx
      .updateTable('sessions')
      .set({ ended_at: sql`now()` })
      .where('user_id', '=', user.id)
      .where('id', '<>', session.sessionId)
      .where('ended_at', 'is', null)
      .returning('id')
      .execute();
    await recordEvent(tx, {
      workspaceId: user.workspace_id,
      actorId: user.id,
      action: 'user.password_changed',
      targetType: 'user',
      targetId: user.id,
      context,
      details: { first: false, otherSessionsEnded: ended.length },
    });
    const mail = passwordChangedMail({
      workspaceName: workspace.name,
      displayName: user.display_name,
      ip: context.ip,
      securityUrl: new URL('/app/security', deps.publicUrl).toString(),
    });
    await enqueueMail(tx, deps, { workspaceId: user.workspace_id, kind: 'password-changed', to: user.email, ...mail });
    return ended.length;
  });
}
