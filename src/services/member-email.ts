import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import { memberPolicy, type MemberTarget } from '../domain/policies/members.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { emailChangeConfirmMail, emailChangeNoticeMail } from '../mail/member-mails.js';
import { recordEvent, recordUserEvent } from './activity.js';
import { endSessionsOf } from './partner-access.js';
import { isUniqueViolation } from './users.js';

/**
 * **Change email** of a member (SPEC §2a, issue 11). An admin (or the owner, for admins) asks for a new
 * address; the new address gets a **Confirm email address** link (24 hours, single use) and the old one
 * a notice. Until the link is opened nothing changes. Confirming sets the person's email and username
 * (members sign in with their email) to the new address and ends every session of theirs; their
 * password, MFA and passkeys stay.
 */

export const EMAIL_CHANGE_TTL_MS = 24 * 60 * 60 * 1000;

export interface MemberEmailDeps extends MailKeys {
  clock: Clock;
  publicUrl: URL;
}

export type EmailChangeState = 'pending' | 'confirmed' | 'expired' | 'cancelled';

/** What a Confirm email address link leads to, as its public page shows it. */
export interface EmailChangeLookup {
  state: EmailChangeState;
  workspace: { slug: string; name: string };
  displayName: string;
  /** The address the person signs in with now (the new one, once confirmed). */
  currentEmail: string;
  newEmail: string;
  expiresAt: string;
}

export interface EmailChangeRequested {
  newEmail: string;
  expiresAt: string;
}

export interface EmailChangeConfirmed {
  workspace: { slug: string; name: string };
  email: string;
}

/** Whether the actor may change this member's email: for the members list's `permissions`. */
export function mayChangeMemberEmail(actor: Actor, target: MemberTarget): boolean {
  return memberPolicy.changeEmail(actor, target);
}

const emailTaken = (email: string) =>
  conflict('email-taken', `${email} already belongs to someone in this workspace.`, [
    { path: 'email', message: 'Someone in this workspace already uses this email.' },
  ]);

const linkNotFound = () =>
  new AppError(
    'email-change-not-found',
    404,
    'Link not found',
    'This email confirmation link is not valid. Check that you opened the whole link from the most recent email.',
  );

function refusal(actor: Actor, target: MemberTarget): string {
  if (target.userId === actor.userId) return 'You cannot change your own email address here.';
  if (target.role === 'owner') return "Nobody can change the workspace owner's email address.";
  if (target.status === 'deactivated') return 'Reactivate this member before changing their email address.';
  if (target.role === 'admin') return "Only the workspace owner can change an admin's email address.";
  return 'Only the workspace owner and admins can change email addresses.';
}

/** Anyone of the workspace, member or guest, who signs in with or receives mail at this address. */
async function addressInUse(db: Kysely<Database>, workspaceId: string, email: string, exceptUserId?: string) {
  let query = db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb(sql<string>`lower(email)`, '=', email.toLowerCase()),
        eb(sql<string>`lower(username)`, '=', email.toLowerCase()),
      ]),
    );
  if (exceptUserId) query = query.where('id', '<>', exceptUserId);
  return Boolean(await query.executeTakeFirst());
}

function stateOf(
  row: { confirmed_at: Date | null; cancelled_at: Date | null; expires_at: Date },
  clock: Clock,
): EmailChangeState {
  if (row.confirmed_at) return 'confirmed';
  if (row.cancelled_at) return 'cancelled';
  if (row.expires_at.getTime() <= clock.now()) return 'expired';
  return 'pending';
}

/**
 * Asks for a member's email to change: the policy, a valid address nobody in the workspace uses, then
 * (in the caller's transaction) older open requests cancelled, the new one stored as its token's hash,
 * the link mailed to the new address and a notice to the old one.
 */
export async function requestEmailChange(
  tx: Kysely<Database>,
  deps: MemberEmailDeps,
  actor: Actor,
  userId: string,
  newEmailInput: string,
  context: RequestContext,
): Promise<EmailChangeRequested> {
  // Who may not see the workspace's people (guests) is not told whether this one exists: 404, not 403.
  if (!memberPolicy.list(actor)) throw notFound('Member', 'This member does not exist in this workspace.');
  const user = await tx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'role', 'status', 'kind'])
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw notFound('Member', 'This member does not exist in this workspace.');
  const target: MemberTarget = { userId: user.id, role: user.role, status: user.status };
  if (!memberPolicy.changeEmail(actor, target)) throw forbidden(refusal(actor, target));

  const newEmail = newEmailInput.trim();
  if (newEmail.toLowerCase() === user.email.toLowerCase()) {
    throw invalid('email-unchanged', `${user.display_name} already uses ${user.email}.`, [
      { path: 'email', message: 'This is already their email address.' },
    ]);
  }
  if (await addressInUse(tx, actor.workspaceId, newEmail)) throw emailTaken(newEmail);

  await tx
    .updateTable('email_changes')
    .set({ cancelled_at: sql`now()` })
    .where('user_id', '=', user.id)
    .where('confirmed_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .execute();
  const token = randomToken();
  const expiresAt = new Date(deps.clock.now() + EMAIL_CHANGE_TTL_MS);
  await tx
    .insertInto('email_changes')
    .values({
      workspace_id: actor.workspaceId,
      user_id: user.id,
      new_email: newEmail,
      requested_by: actor.userId,
      token_hash: hashToken(token),
      expires_at: expiresAt,
    })
    .execute();

  const workspace = await tx
    .selectFrom('workspaces')
    .select(['name'])
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  const requester = await tx
    .selectFrom('users')
    .select('display_name')
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  const requesterName = requester?.display_name ?? 'An administrator';
  const confirmUrl = new URL('/email/confirm', deps.publicUrl);
  confirmUrl.searchParams.set('token', token);
  const confirmation = emailChangeConfirmMail({
    workspaceName: workspace.name,
    displayName: user.display_name,
    requesterName,
    currentEmail: user.email,
    newEmail,
    expiresAt,
    confirmUrl: confirmUrl.toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: actor.workspaceId,
    kind: 'email-change-confirm',
    to: newEmail,
    ...confirmation,
  });
  const notice = emailChangeNoticeMail({
    workspaceName: workspace.name,
    displayName: user.display_name,
    requesterName,
    newEmail,
  });
  await enqueueMail(tx, deps, {
    workspaceId: actor.workspaceId,
    kind: 'email-change-notice',
    to: user.email,
    ...notice,
  });
  await recordUserEvent(tx, actor, context, 'user.email_change_requested', user.id, {
    from: user.email,
    to: newEmail,
  });
  return { newEmail, expiresAt: expiresAt.toISOString() };
}

async function findByToken(db: Kysely<Database>, token: string, options: { lock?: boolean } = {}) {
  let query = db
    .selectFrom('email_changes as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .innerJoin('workspaces as w', 'w.id', 'c.workspace_id')
    .select([
      'c.id',
      'c.workspace_id',
      'c.user_id',
      'c.new_email',
      'c.requested_by',
      'c.expires_at',
      'c.confirmed_at',
      'c.cancelled_at',
      'u.email',
      'u.display_name',
      'u.role',
      'u.status',
      'w.slug',
      'w.name as workspace_name',
    ])
    .where('c.token_hash', '=', hashToken(token));
  // The change's row only: the person's row is locked next, and the workspace's is left alone.
  if (options.lock) query = query.forUpdate('c');
  return query.executeTakeFirst();
}

/**
 * Whether whoever asked for a change may still make it, on the person as they are now: roles and statuses
 * change within 24 hours (an admin demoted or deactivated, a member made an admin or the owner).
 */
async function requesterStillAllowed(
  db: Kysely<Database>,
  requestedBy: string | null,
  user: { id: string; role: MemberTarget['role']; status: MemberTarget['status'] },
): Promise<boolean> {
  if (!requestedBy) return false;
  const requester = await db
    .selectFrom('users')
    .select(['id', 'workspace_id', 'role', 'status'])
    .where('id', '=', requestedBy)
    .executeTakeFirst();
  return (
    requester?.status === 'active' &&
    memberPolicy.changeEmail(
      { userId: requester.id, workspaceId: requester.workspace_id, role: requester.role, status: requester.status },
      { userId: user.id, role: user.role, status: user.status },
    )
  );
}

/** What a Confirm email address link is (public: the token is the secret). */
export async function lookupEmailChange(db: Kysely<Database>, clock: Clock, token: string): Promise<EmailChangeLookup> {
  const change = await findByToken(db, token);
  if (!change) throw linkNotFound();
  let state = stateOf(change, clock);
  if (state === 'pending') {
    const user = { id: change.user_id, role: change.role, status: change.status };
    if (!(await requesterStillAllowed(db, change.requested_by, user))) state = 'cancelled';
  }
  return {
    state,
    workspace: { slug: change.slug, name: change.workspace_name },
    displayName: change.display_name,
    currentEmail: change.email,
    newEmail: change.new_email,
    expiresAt: change.expires_at.toISOString(),
  };
}

/**
 * Confirms a change by its link, in one transaction: the request must be open and unexpired, whoever
 * asked for it must still be allowed to, and the address still free; then email and username become the
 * new address, every session of the person ends, and `user.email_changed` is written.
 */
export async function confirmEmailChange(
  tx: Kysely<Database>,
  clock: Clock,
  token: string,
  context: RequestContext,
): Promise<EmailChangeConfirmed> {
  const change = await findByToken(tx, token, { lock: true });
  if (!change) throw linkNotFound();
  const state = stateOf(change, clock);
  if (state === 'confirmed') {
    throw conflict('email-change-used', `This link was already used: ${change.new_email} is confirmed.`);
  }
  if (state === 'cancelled') {
    throw conflict(
      'email-change-cancelled',
      'This link no longer works: a newer change of this email address was asked for, or this one was withdrawn.',
    );
  }
  if (state === 'expired') {
    throw new AppError(
      'email-change-expired',
      410,
      'Link expired',
      'This email confirmation link has expired (links last 24 hours). Ask an administrator to send a new one.',
    );
  }

  const user = await tx
    .selectFrom('users')
    .select(['id', 'email', 'role', 'status'])
    .where('id', '=', change.user_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!(await requesterStillAllowed(tx, change.requested_by, user))) {
    throw conflict(
      'email-change-cancelled',
      'This link no longer works: the person who asked for the change can no longer make it. Ask an administrator to send a new one.',
    );
  }
  if (await addressInUse(tx, change.workspace_id, change.new_email, user.id)) throw emailTaken(change.new_email);

  await tx
    .updateTable('users')
    .set({ email: change.new_email, username: change.new_email, updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw emailTaken(change.new_email);
      throw error;
    });
  await tx
    .updateTable('email_changes')
    .set({ confirmed_at: sql`now()` })
    .where('id', '=', change.id)
    .execute();
  await endSessionsOf(tx, user.id);
  await recordEvent(tx, {
    workspaceId: change.workspace_id,
    // The person proved the new address; whoever asked for it is in the details.
    actorId: user.id,
    action: 'user.email_changed',
    targetType: 'user',
    targetId: user.id,
    context,
    details: { from: user.email, to: change.new_email, requestedBy: change.requested_by },
  });
  return { workspace: { slug: change.slug, name: change.workspace_name }, email: change.new_email };
}
