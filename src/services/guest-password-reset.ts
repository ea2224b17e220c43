import { sql, type Kysely } from 'kysely';
import type { Database, GuestRole } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, notFound } from '../domain/errors.js';
import { guestPasswordPolicy, type GuestPasswordTarget } from '../domain/policies/guest-passwords.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { guestPasswordResetMail } from '../mail/password-mails.js';
import { recordUserEvent } from './activity.js';
import type { TemporaryCredential } from './invitations/credentials.js';
import { endSessionsOf, ensure, loadPartner } from './partner-access.js';

/**
 * **Reset password** for a guest (SPEC §2a): host admins (and workspace owners and admins) for the guests
 * of their partner, guest admins for its guest users. The guest gets a new temporary password by email,
 * as on invitation; the person who reset it never sees it. Their old password stops working and every
 * session of theirs ends, in one transaction. At their next sign-in they prove their second factor as
 * before (their factors and trusted devices stay) and then go through **Change Password** again.
 */

export interface GuestPasswordResetDeps extends MailKeys {
  publicUrl: URL;
}

const refusal = (actor: Actor, target: GuestPasswordTarget) =>
  target.userId === actor.userId
    ? 'You cannot reset your own password here; change it on your Security page.'
    : target.role === 'guest_admin'
      ? "Only host admins can reset a guest admin's password."
      : "Only host admins, and guest admins for guest users, can reset a guest's password.";

const notApplicable = (target: GuestPasswordTarget, name: string) =>
  target.status === 'invited'
    ? conflict(
        'guest-not-active',
        `${name} has not joined yet, so has no password to reset: use Resend invitation to send a new temporary password.`,
      )
    : conflict('guest-not-active', `${name} is deactivated and cannot sign in; there is no password to reset.`);

export async function resetGuestPassword(
  tx: Kysely<Database>,
  deps: GuestPasswordResetDeps,
  actor: Actor,
  partnerId: string,
  userId: string,
  credential: TemporaryCredential,
  context: RequestContext,
): Promise<void> {
  // Someone outside the partner is told it does not exist (404), like the partner's other routes.
  const { partner, standing } = await loadPartner(tx, actor, partnerId, { lock: true });
  const guest = await tx
    .selectFrom('partner_members as pm')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select(['u.id', 'u.email', 'u.username', 'u.display_name', 'u.status', 'pm.role'])
    .where('pm.partner_id', '=', partnerId)
    .where('pm.user_id', '=', userId)
    .where('pm.role', '<>', 'host_admin')
    .where('u.workspace_id', '=', actor.workspaceId)
    .forUpdate()
    .executeTakeFirst();
  if (!guest) throw notFound('Guest', 'This person is not a guest of this partner.');
  const target: GuestPasswordTarget = { userId: guest.id, role: guest.role as GuestRole, status: guest.status };
  ensure(guestPasswordPolicy.reset(standing, target), refusal(actor, target));
  if (!guestPasswordPolicy.applies(target)) throw notApplicable(target, guest.display_name);

  await tx
    .updateTable('users')
    .set({ password_hash: credential.hash, must_change_password: true, updated_at: sql`now()` })
    .where('id', '=', guest.id)
    .execute();
  await endSessionsOf(tx, guest.id);

  const workspace = await tx
    .selectFrom('workspaces')
    .select(['name', 'slug'])
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  const admin = await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst();
  const signInUrl = new URL(`/w/${encodeURIComponent(workspace.slug)}/sign-in`, deps.publicUrl);
  signInUrl.searchParams.set('username', guest.username);
  const mail = guestPasswordResetMail({
    workspaceName: workspace.name,
    partnerName: partner.name,
    displayName: guest.display_name,
    adminName: admin?.display_name ?? 'A host admin',
    username: guest.username,
    temporaryPassword: credential.password,
    signInUrl: signInUrl.toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: actor.workspaceId,
    kind: 'guest-password-reset',
    to: guest.email,
    ...mail,
  });
  await recordUserEvent(tx, actor, context, 'user.password_reset_by_admin', guest.id, {
    partnerId,
    role: guest.role,
  });
}
