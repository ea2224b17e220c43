import { sql, type Kysely } from 'kysely';
import type { Database, User, Workspace } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../domain/errors.js';
import { effectiveState } from '../domain/invitations.js';
import { checkPassword, describePolicy } from '../domain/password-policy.js';
import { memberPolicy, type MemberTarget } from '../domain/policies/members.js';
import type { AssignableMemberRole } from '../domain/roles.js';
import { hashPassword } from '../crypto/passwords.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { memberInvitationMail } from '../mail/member-mails.js';
import { cancelPendingMail, enqueueMail } from '../mail/outbox.js';
import { recordEvent } from './activity.js';
import type { InvitationDeps } from './invitations/invitation-mail.js';
import { endSessionsOf } from './partner-access.js';
import { openSession } from './sessions/open-session.js';
import { isUniqueViolation } from './users.js';

/**
 * Members join by invitation (SPEC §2a): an admin names the email and the role; the person gets a
 * **Join workspace** link and, in a `local` workspace, chooses their own password. Nobody else ever
 * chooses or sees it. The invitation shares the guests' table (no partner, no temporary password).
 */

export interface InviteMemberInput {
  email: string;
  role: AssignableMemberRole;
}

const inviteRefusal = (role: AssignableMemberRole) =>
  forbidden(
    role === 'admin'
      ? 'Only the workspace owner can invite an admin.'
      : 'Only the workspace owner and admins can invite members.',
  );

export async function inviteMember(
  tx: Kysely<Database>,
  actor: Actor,
  input: InviteMemberInput,
  deps: InvitationDeps,
  context: RequestContext,
): Promise<{ userId: string; invitationId: string }> {
  if (!memberPolicy.invite(actor, input.role)) throw inviteRefusal(input.role);
  const workspace = await loadWorkspace(tx, actor.workspaceId);
  const existing = await tx
    .selectFrom('users')
    .selectAll()
    .where('workspace_id', '=', actor.workspaceId)
    .where(sql<string>`lower(email)`, '=', input.email.toLowerCase())
    .forUpdate()
    .executeTakeFirst();
  let userId: string;
  if (existing) {
    if (!(await isRevokedInvitee(tx, existing))) throw emailTaken(input.email, existing);
    // Invited before, revoked before joining: the same record is invited again.
    await tx
      .updateTable('users')
      .set({ status: 'invited', role: input.role, updated_at: sql`now()` })
      .where('id', '=', existing.id)
      .execute();
    userId = existing.id;
  } else {
    const user = await tx
      .insertInto('users')
      .values({
        workspace_id: actor.workspaceId,
        email: input.email,
        username: input.email,
        display_name: input.email,
        kind: 'member',
        role: input.role,
        status: 'invited',
        password_hash: null,
        must_change_password: false,
        updated_at: sql<Date>`now()`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) throw conflict('email-taken', `${input.email} was just invited by someone else.`);
        throw error;
      });
    userId = user.id;
  }
  const link = newLink(workspace);
  const invitation = await tx
    .insertInto('invitations')
    .values({
      workspace_id: actor.workspaceId,
      partner_id: null,
      user_id: userId,
      invited_by: actor.userId,
      role: input.role,
      temp_password_hash: null,
      link_token_hash: link.tokenHash,
      expires_at: link.expiresAt,
      updated_at: sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await queueJoinMail(tx, deps, workspace, actor, {
    invitationId: invitation.id,
    email: input.email,
    role: input.role,
    link,
  });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'member.invited',
    targetType: 'user',
    targetId: userId,
    context,
    details: { email: input.email, role: input.role, invitationId: invitation.id },
  });
  return { userId, invitationId: invitation.id };
}

function emailTaken(email: string, existing: User): AppError {
  const who =
    existing.kind === 'guest'
      ? 'a guest of a partner, who cannot also be a member'
      : existing.status === 'deactivated'
        ? 'a deactivated member: reactivate them instead'
        : 'someone in this workspace';
  return conflict('email-taken', `${email} belongs to ${who}.`, [
    { path: 'email', message: 'Someone in this workspace already uses this email.' },
  ]);
}

/** A member whose invitation was revoked before they ever joined: inviting them again is a fresh start. */
async function isRevokedInvitee(tx: Kysely<Database>, user: User): Promise<boolean> {
  if (user.kind !== 'member' || user.status !== 'deactivated') return false;
  return !(await hasJoined(tx, user.id));
}

/**
 * Whether a member ever joined: they were never invited (the owner, members added before invitations
 * existed) or accepted an invitation.
 */
export async function hasJoined(db: Kysely<Database>, userId: string): Promise<boolean> {
  const invitations = await db
    .selectFrom('invitations')
    .select('state')
    .where('user_id', '=', userId)
    .where('partner_id', 'is', null)
    .execute();
  return invitations.length === 0 || invitations.some((i) => i.state === 'accepted');
}

interface JoinLink {
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

function newLink(workspace: Workspace): JoinLink {
  const token = randomToken();
  return {
    token,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + workspace.invitation_ttl_hours * 3600_000),
  };
}

function loadWorkspace(db: Kysely<Database>, workspaceId: string): Promise<Workspace> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirstOrThrow();
}

async function queueJoinMail(
  tx: Kysely<Database>,
  deps: InvitationDeps,
  workspace: Workspace,
  actor: Actor,
  message: { invitationId: string; email: string; role: AssignableMemberRole; link: JoinLink },
): Promise<void> {
  const inviter = await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst();
  const joinUrl = new URL(`/w/${workspace.slug}/join`, deps.publicUrl);
  joinUrl.searchParams.set('token', message.link.token);
  const mail = memberInvitationMail({
    workspaceName: workspace.name,
    inviterName: inviter?.display_name ?? 'An admin',
    email: message.email,
    role: message.role,
    mode: workspace.mode,
    expiresAt: message.link.expiresAt,
    joinUrl: joinUrl.toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: workspace.id,
    invitationId: message.invitationId,
    kind: 'member-invitation',
    to: message.email,
    ...mail,
  });
}

/** The invited member and their pending invitation, locked, for Resend invitation and Revoke. */
async function loadInvitedMember(tx: Kysely<Database>, actor: Actor, userId: string) {
  const user = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .forUpdate()
    .executeTakeFirst();
  if (!user || !memberPolicy.list(actor)) throw notFound('Member', 'This person is not a member of this workspace.');
  const target: MemberTarget = { userId: user.id, role: user.role, status: user.status };
  const refusal = () =>
    forbidden(
      user.role === 'admin' || user.role === 'owner'
        ? "Only the workspace owner manages an admin's invitation."
        : 'Only the workspace owner and admins manage invitations.',
    );
  if (!memberPolicy.actsOnMember(actor, target)) throw refusal();
  if (user.status !== 'invited')
    throw conflict('member-not-invited', `${user.email} is not waiting on an invitation (they are ${user.status}).`);
  if (!memberPolicy.manageInvitation(actor, target)) throw refusal();
  const invitation = await tx
    .selectFrom('invitations')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('partner_id', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { user, invitation };
}

/** **Resend invitation**: a new link (the old one is void), the expiry restarted, the mail sent again. */
export async function resendMemberInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  userId: string,
  deps: InvitationDeps,
  context: RequestContext,
): Promise<void> {
  const { user, invitation } = await loadInvitedMember(tx, actor, userId);
  const workspace = await loadWorkspace(tx, actor.workspaceId);
  await cancelPendingMail(tx, invitation.id);
  const link = newLink(workspace);
  await tx
    .updateTable('invitations')
    .set({
      state: 'pending',
      link_token_hash: link.tokenHash,
      expires_at: link.expiresAt,
      times_sent: sql`times_sent + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', invitation.id)
    .execute();
  await queueJoinMail(tx, deps, workspace, actor, {
    invitationId: invitation.id,
    email: user.email,
    role: user.role === 'admin' ? 'admin' : 'member',
    link,
  });
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'invitation.resent',
    targetType: 'invitation',
    targetId: invitation.id,
    context,
    details: { userId: user.id, email: user.email, timesSent: invitation.times_sent + 1 },
  });
}

/** **Revoke**: the link stops working; the person shows as deactivated until invited again. */
export async function revokeMemberInvitation(
  tx: Kysely<Database>,
  actor: Actor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const { user, invitation } = await loadInvitedMember(tx, actor, userId);
  await tx
    .updateTable('invitations')
    .set({ state: 'revoked', revoked_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', invitation.id)
    .execute();
  await cancelPendingMail(tx, invitation.id);
  await tx
    .updateTable('users')
    .set({ status: 'deactivated', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .execute();
  await endSessionsOf(tx, user.id);
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'invitation.revoked',
    targetType: 'invitation',
    targetId: invitation.id,
    context,
    details: { userId: user.id, email: user.email },
  });
}

export interface MemberInvitationView {
  state: 'pending' | 'accepted' | 'expired' | 'revoked';
  workspace: { slug: string; name: string; mode: Workspace['mode'] };
  email: string;
  role: AssignableMemberRole;
  invitedBy: string | null;
  expiresAt: string;
  /** The policy the chosen password must meet (a member has no temporary password to avoid). */
  passwordPolicy: { minLength: number; rules: Array<{ id: string; label: string }> };
}

const invitationNotFound = () =>
  new AppError(
    'invitation-not-found',
    404,
    'Invitation not found',
    'This invitation link is not valid. If the invitation was sent again, use the link in the newest email.',
  );

async function findByToken(db: Kysely<Database>, token: string) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .leftJoin('users as inviter', 'inviter.id', 'i.invited_by')
    .select([
      'i.id',
      'i.state',
      'i.expires_at',
      'i.role',
      'i.user_id',
      'w.id as workspace_id',
      'w.slug',
      'w.name as workspace_name',
      'w.mode',
      'w.password_min_length',
      'u.email',
      'inviter.display_name as inviter_name',
    ])
    .where('i.link_token_hash', '=', hashToken(token))
    .where('i.partner_id', 'is', null)
    .executeTakeFirst();
}

/** What the **Join workspace** page shows. Knows nothing without the exact token. */
export async function lookupMemberInvitation(db: Kysely<Database>, token: string): Promise<MemberInvitationView> {
  const row = await findByToken(db, token);
  if (!row) throw invitationNotFound();
  return {
    state: effectiveState({ state: row.state, expires_at: row.expires_at }),
    workspace: { slug: row.slug, name: row.workspace_name, mode: row.mode },
    email: row.email,
    role: row.role === 'admin' ? 'admin' : 'member',
    invitedBy: row.inviter_name,
    expiresAt: row.expires_at.toISOString(),
    passwordPolicy: {
      minLength: row.password_min_length,
      rules: describePolicy({ minLength: row.password_min_length }).filter((rule) => rule.id !== 'not-temporary'),
    },
  };
}

export interface JoinWorkspaceInput {
  token: string;
  password: string;
  passwordAgain: string;
  givenName: string;
  familyName: string;
}

/**
 * Joining a `local` workspace from the link: the person's own password (the workspace policy) and names;
 * the invitation is accepted and a session opens, which then asks for the terms and MFA like any other.
 */
export async function joinWorkspace(
  unitOfWork: UnitOfWork,
  clock: Clock,
  input: JoinWorkspaceInput,
  context: RequestContext,
): Promise<string> {
  const found = await findByToken(unitOfWork.db, input.token);
  if (!found) throw invitationNotFound();
  refuseUnusable(found);
  const problems = checkPassword(
    input.password,
    { username: found.email, email: found.email },
    { minLength: found.password_min_length },
  ).map((message) => ({ path: 'password', message }));
  if (input.password !== input.passwordAgain)
    problems.push({ path: 'passwordAgain', message: 'The two passwords do not match.' });
  if (problems.length > 0) throw invalid('weak-password', problems.map((p) => p.message).join(' '), problems);
  const passwordHash = await hashPassword(input.password);

  return unitOfWork.run(async (tx) => {
    // Read again under lock: a revoke or resend may have landed while the password was hashed.
    const invitation = await tx
      .selectFrom('invitations')
      .select(['id', 'state', 'expires_at', 'user_id'])
      .where('id', '=', found.id)
      .where('link_token_hash', '=', hashToken(input.token))
      .forUpdate()
      .executeTakeFirst();
    if (!invitation) throw invitationNotFound();
    refuseUnusable({ ...found, state: invitation.state, expires_at: invitation.expires_at });
    await tx
      .updateTable('invitations')
      .set({ state: 'accepted', accepted_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', invitation.id)
      .execute();
    await tx
      .updateTable('users')
      .set({
        status: 'active',
        password_hash: passwordHash,
        must_change_password: false,
        given_name: input.givenName,
        family_name: input.familyName,
        display_name: `${input.givenName} ${input.familyName}`,
        updated_at: sql`now()`,
      })
      .where('id', '=', invitation.user_id)
      .execute();
    const event = {
      workspaceId: found.workspace_id,
      actorId: invitation.user_id,
      targetType: 'user',
      targetId: invitation.user_id,
      context,
    };
    await recordEvent(tx, {
      ...event,
      action: 'user.joined',
      details: { invitationId: invitation.id, role: found.role },
    });
    await recordEvent(tx, { ...event, action: 'user.activated' });
    return openSession(tx, clock, invitation.user_id, found.workspace_id, context);
  });
}

function refuseUnusable(row: { state: string; expires_at: Date; mode: Workspace['mode'] }): void {
  const state = effectiveState({ state: row.state as 'pending', expires_at: row.expires_at });
  if (state === 'accepted')
    throw conflict('invitation-accepted', 'You already joined with this invitation: sign in instead.');
  if (state === 'revoked')
    throw new AppError('invitation-revoked', 410, 'Invitation revoked', 'This invitation was revoked.');
  if (state === 'expired')
    throw new AppError(
      'invitation-expired',
      410,
      'Invitation expired',
      'This invitation has expired; ask an admin to send it again.',
    );
  if (row.mode === 'idp')
    throw conflict(
      'sign-in-with-idp',
      "This workspace signs its members in through the company's identity provider: sign in there instead.",
    );
}
