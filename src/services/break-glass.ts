import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import { conflict, notFound } from '../domain/errors.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { passwordResetByOperatorMail } from '../mail/password-mails.js';
import { recordEvent } from './activity.js';
import type { TemporaryCredential } from './invitations/credentials.js';
import { queueMfaResetMail, removeSecondFactors, type RemovedSecondFactors } from './mfa-reset.js';
import { endSessionsOf } from './partner-access.js';

/**
 * The operator's break-glass (SPEC §2a): `gatehouse users reset-mfa` and `gatehouse users reset-password`,
 * run on the server, for anyone, the owner included (nobody can act on the owner through the web app, so
 * this is the way back in for an owner who lost their phone or password). No signed-in actor: the
 * activity event has no actor and says `via: 'cli'`. Each runs in one transaction: the change, every
 * session of the person ended, the mail to them, the event.
 */

export interface BreakGlassDeps extends MailKeys {
  publicUrl: URL;
}

export interface BreakGlassTarget {
  workspaceSlug: string;
  email: string;
}

const CLI_CONTEXT: RequestContext = { ip: null, userAgent: 'gatehouse-cli' };

async function findPerson(tx: Kysely<Database>, target: BreakGlassTarget) {
  const workspace = await tx
    .selectFrom('workspaces')
    .select(['id', 'slug', 'name', 'mode'])
    .where('slug', '=', target.workspaceSlug)
    .executeTakeFirst();
  if (!workspace) throw notFound('Workspace', `There is no workspace "${target.workspaceSlug}".`);
  const user = await tx
    .selectFrom('users')
    .select(['id', 'email', 'username', 'display_name', 'kind', 'role', 'status'])
    .where('workspace_id', '=', workspace.id)
    .where(sql<string>`lower(email)`, '=', target.email.trim().toLowerCase())
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw notFound('User', `Nobody in workspace "${workspace.slug}" has the email address ${target.email}.`);
  if (user.status === 'deactivated') {
    throw conflict('user-deactivated', `${user.email} is deactivated and cannot sign in; reactivate them first.`);
  }
  return { workspace, user };
}

const event = (workspaceId: string, action: string, userId: string, details: Record<string, unknown>) => ({
  workspaceId,
  actorId: null,
  action,
  targetType: 'user',
  targetId: userId,
  context: CLI_CONTEXT,
  details: { ...details, via: 'cli' },
});

/** `gatehouse users reset-mfa`: what the web app's Reset MFA does, for anyone. */
export async function breakGlassResetMfa(
  tx: Kysely<Database>,
  deps: BreakGlassDeps,
  target: BreakGlassTarget,
): Promise<{ email: string; displayName: string; removed: RemovedSecondFactors }> {
  const { workspace, user } = await findPerson(tx, target);
  const removed = await removeSecondFactors(tx, user);
  await queueMfaResetMail(tx, deps, workspace.id, user, null);
  await recordEvent(tx, event(workspace.id, 'mfa.reset', user.id, removed));
  return { email: user.email, displayName: user.display_name, removed };
}

/**
 * `gatehouse users reset-password`: a temporary password (returned for the operator to hand on, shown
 * once), to be changed at the next sign-in, after the second factor. The person is mailed that it
 * happened, without the password. An invited person has no password yet; a member of a workspace that
 * signs in through its identity provider has none to reset, except the owner's break-glass local sign-in.
 */
export async function breakGlassResetPassword(
  tx: Kysely<Database>,
  deps: BreakGlassDeps,
  target: BreakGlassTarget,
  credential: TemporaryCredential,
): Promise<{ email: string; username: string; displayName: string }> {
  const { workspace, user } = await findPerson(tx, target);
  if (user.status === 'invited') {
    throw conflict(
      'user-invited',
      `${user.email} has not joined yet, so has no password to reset: resend their invitation instead.`,
    );
  }
  if (workspace.mode === 'idp' && user.kind === 'member' && user.role !== 'owner') {
    throw conflict(
      'password-not-used',
      `${user.email} signs in through the workspace's identity provider; their password is kept there.`,
    );
  }
  await tx
    .updateTable('users')
    .set({ password_hash: credential.hash, must_change_password: true, updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await endSessionsOf(tx, user.id);
  const mail = passwordResetByOperatorMail({
    workspaceName: workspace.name,
    displayName: user.display_name,
    signInUrl: new URL(`/w/${encodeURIComponent(workspace.slug)}/sign-in`, deps.publicUrl).toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: workspace.id,
    kind: 'password-reset-by-operator',
    to: user.email,
    ...mail,
  });
  await recordEvent(tx, event(workspace.id, 'user.password_reset_by_admin', user.id, {}));
  return { email: user.email, username: user.username, displayName: user.display_name };
}
