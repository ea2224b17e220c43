import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, notFound } from '../domain/errors.js';
import { memberPolicy, type MfaResetTarget } from '../domain/policies/members.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { mfaResetMail } from '../mail/templates.js';
import { recordUserEvent } from './activity.js';
import { mfaStatus, type MfaStatus } from './mfa/mfa-status.js';
import { endSessionsOf, ensure } from './partner-access.js';

/**
 * Reset MFA (SPEC §5): an admin removes a person's second factors, for example after a lost phone.
 * Who may is memberPolicy.resetMfa: the owner for anyone else, admins for members and guests, host
 * admins for the guests of partners they host; nobody for the owner.
 */

export interface MfaResetDeps extends MailKeys {
  publicUrl: URL;
}

async function loadTarget(db: Kysely<Database>, actor: Actor, userId: string, options: { lock?: boolean } = {}) {
  // Who may not see the workspace's people (guests) is not told whether this one exists: 404, not 403.
  if (!memberPolicy.list(actor)) throw notFound('User', 'This person does not exist in this workspace.');
  let query = db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.kind',
      'u.role',
      'u.email',
      'u.display_name',
      sql<boolean>`EXISTS (
        SELECT 1 FROM partner_members guest
        JOIN partner_members host ON host.partner_id = guest.partner_id
        JOIN partners p ON p.id = guest.partner_id
        WHERE guest.user_id = u.id AND guest.role <> 'host_admin'
          AND host.user_id = ${actor.userId} AND host.role = 'host_admin'
          AND p.status = 'active'
      )`.as('hosted_by_actor'),
    ])
    .where('u.id', '=', userId)
    .where('u.workspace_id', '=', actor.workspaceId);
  if (options.lock) query = query.forUpdate();
  const user = await query.executeTakeFirst();
  if (!user) throw notFound('User', 'This person does not exist in this workspace.');
  const target: MfaResetTarget = {
    userId: user.id,
    kind: user.kind,
    role: user.role,
    hostedByActor: user.hosted_by_actor,
  };
  return { user, target };
}

const refusal = (actor: Actor, target: MfaResetTarget) =>
  target.userId === actor.userId
    ? 'You cannot reset your own MFA; change it on your Security page.'
    : target.role === 'owner'
      ? "Nobody can reset the workspace owner's MFA."
      : target.role === 'admin'
        ? "Only the workspace owner can reset an admin's MFA."
        : 'Only workspace admins, and host admins for the guests of their partners, can reset MFA.';

/** Whether the actor may reset this person's MFA: what the web app offers, asked of the same policy. */
export async function mayResetMfa(db: Kysely<Database>, actor: Actor, userId: string): Promise<boolean> {
  if (!memberPolicy.list(actor)) return false;
  const { target } = await loadTarget(db, actor, userId);
  return memberPolicy.resetMfa(actor, target);
}

/** A person's MFA state as an admin who may reset it sees it. */
export async function mfaStatusForAdmin(db: Kysely<Database>, actor: Actor, userId: string): Promise<MfaStatus> {
  const { target } = await loadTarget(db, actor, userId);
  ensure(memberPolicy.resetMfa(actor, target), refusal(actor, target));
  return mfaStatus(db, userId);
}

/**
 * In one transaction: every factor and recovery code removed, every session of the person ended, a mail
 * queued to tell them, and the event. They must turn MFA on again at their next sign-in.
 */
export async function resetMfa(
  tx: Kysely<Database>,
  deps: MfaResetDeps,
  actor: Actor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const { user, target } = await loadTarget(tx, actor, userId, { lock: true });
  ensure(memberPolicy.resetMfa(actor, target), refusal(actor, target));
  const removed = await removeSecondFactors(tx, user);
  const admin = await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst();
  await queueMfaResetMail(tx, deps, actor.workspaceId, user, admin?.display_name ?? 'An administrator');
  await recordUserEvent(tx, actor, context, 'mfa.reset', userId, removed);
}

/** What a reset removed, as the activity event records it. */
export type RemovedSecondFactors = {
  totpRemoved: boolean;
  passkeysRemoved: number;
  recoveryCodesRemoved: number;
};

/**
 * The reset itself, whoever asked for it (an admin in the web app, the operator's `gatehouse users
 * reset-mfa`): every factor and recovery code removed and every session of the person ended. Trusted
 * devices stay: a device proves the browser, not the person. Refuses when there is nothing to reset.
 */
export async function removeSecondFactors(
  tx: Kysely<Database>,
  user: { id: string; display_name: string },
): Promise<RemovedSecondFactors> {
  const confirmed = await tx
    .selectFrom('mfa_factors')
    .select('id')
    .where('user_id', '=', user.id)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  // Nothing to reset: say so rather than sign the person out and mail them for nothing.
  if (!confirmed) throw conflict('no-second-factor', `${user.display_name} has no second factor to reset.`);
  const factors = await tx.deleteFrom('mfa_factors').where('user_id', '=', user.id).returning(['kind']).execute();
  const codes = await tx.deleteFrom('recovery_codes').where('user_id', '=', user.id).returning(['id']).execute();
  await endSessionsOf(tx, user.id);
  return {
    totpRemoved: factors.some((f) => f.kind === 'totp'),
    passkeysRemoved: factors.filter((f) => f.kind === 'passkey').length,
    recoveryCodesRemoved: codes.length,
  };
}

/** Tells the person, in the same transaction: who reset it (null: the operator, from the command line). */
export async function queueMfaResetMail(
  tx: Kysely<Database>,
  deps: MfaResetDeps,
  workspaceId: string,
  user: { email: string; display_name: string },
  adminName: string | null,
): Promise<void> {
  const workspace = await tx
    .selectFrom('workspaces')
    .select(['name', 'slug'])
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  const mail = mfaResetMail({
    workspaceName: workspace.name,
    displayName: user.display_name,
    adminName,
    signInUrl: new URL(`/w/${encodeURIComponent(workspace.slug)}/sign-in`, deps.publicUrl).toString(),
  });
  await enqueueMail(tx, deps, { workspaceId, kind: 'mfa-reset', to: user.email, ...mail });
}
