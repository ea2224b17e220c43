import type { Kysely } from 'kysely';
import type { Database, Device } from '../db/schema.js';
import { databaseOf } from '../db/unit-of-work.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { clientAppName } from '../domain/client-apps.js';
import { invalid } from '../domain/errors.js';
import {
  isSecurityNotification,
  notificationKinds,
  notificationWanted,
  recipientsOtherThanActor,
  type NotificationKind,
  type NotificationKindInfo,
} from '../domain/notifications.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import {
  accessExpiringMail,
  accountPassedOnMail,
  accountSharedMail,
  deviceWaitingMail,
  guestJoinedMail,
  sharedWithPartnerMail,
} from '../mail/notification-mails.js';
import type { RenderedMail } from '../mail/templates.js';
import { recordEvent } from './activity.js';

/**
 * Email notifications (SPEC §8a). Each is queued in the transaction of the action that causes it, to
 * each person concerned other than the one who acted, unless they turned that kind off (security mail
 * is always sent). The triggers are one call each in the services that act (account-sharing, devices,
 * password-change), so those need no mail dependencies of their own: like the activity keys, the
 * outbox's keys and the public URL are attached to the app's database at start-up.
 */

export type { NotificationKind } from '../domain/notifications.js';

/** The kind the expiry job sends seven days before a share or a guest's access ends (SPEC §8a). */
export const ACCESS_EXPIRING: NotificationKind = 'access-expiring';

export interface NotificationDeps extends MailKeys {
  publicUrl: URL;
}

const depsOf = new WeakMap<Kysely<Database>, NotificationDeps>();

/** Tells the notifications which keys and public URL to queue mail written through `db` with. */
export function sendNotificationsWith(db: Kysely<Database>, deps: NotificationDeps): void {
  depsOf.set(db, deps);
}

// ----- preferences ------------------------------------------------------------------------------------

/** Whether `userId` gets notifications of `kind`: security mail always; the rest unless turned off. */
export async function wantsNotification(
  db: Kysely<Database>,
  userId: string,
  kind: NotificationKind,
): Promise<boolean> {
  return (await usersWantingNotification(db, [userId], kind)).has(userId);
}

/** Of `userIds`, those who get notifications of `kind` (one query for several recipients). */
export async function usersWantingNotification(
  db: Kysely<Database>,
  userIds: readonly string[],
  kind: NotificationKind,
): Promise<Set<string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0 || isSecurityNotification(kind)) return new Set(ids);
  const rows = await db
    .selectFrom('notification_preferences')
    .select(['user_id', 'enabled'])
    .where('user_id', 'in', ids)
    .where('kind', '=', kind)
    .execute();
  const stored = new Map(rows.map((row) => [row.user_id, row.enabled]));
  return new Set(ids.filter((id) => notificationWanted(kind, stored.get(id))));
}

export interface NotificationPreference extends NotificationKindInfo {
  enabled: boolean;
}

/** The **Notifications** section: every kind with the person's choice (security ones always on). */
export async function listOwnNotificationPreferences(
  db: Kysely<Database>,
  actor: Actor,
): Promise<NotificationPreference[]> {
  const rows = await db
    .selectFrom('notification_preferences')
    .select(['kind', 'enabled'])
    .where('user_id', '=', actor.userId)
    .execute();
  const stored = new Map(rows.map((row) => [row.kind, row.enabled]));
  return notificationKinds().map((info) => ({
    ...info,
    enabled: notificationWanted(info.kind, stored.get(info.kind)),
  }));
}

/**
 * Turns the person's own notifications on or off. Security notifications cannot be turned off: the
 * request is refused whole. Each real change is an activity event.
 */
export async function updateOwnNotificationPreferences(
  tx: Kysely<Database>,
  actor: Actor,
  changes: Array<{ kind: NotificationKind; enabled: boolean }>,
  context: RequestContext,
): Promise<NotificationPreference[]> {
  const refused = changes.findIndex((change) => isSecurityNotification(change.kind) && !change.enabled);
  if (refused !== -1) {
    throw invalid('notification-always-sent', 'Notifications about your security are always sent.', [
      { path: `notifications.${refused}.enabled`, message: 'Notifications about your security are always sent.' },
    ]);
  }
  const before = new Map((await listOwnNotificationPreferences(tx, actor)).map((p) => [p.kind, p.enabled]));
  for (const change of changes) {
    if (isSecurityNotification(change.kind) || before.get(change.kind) === change.enabled) continue;
    await tx
      .insertInto('notification_preferences')
      .values({ user_id: actor.userId, kind: change.kind, enabled: change.enabled })
      .onConflict((oc) =>
        oc.columns(['user_id', 'kind']).doUpdateSet({ enabled: change.enabled, updated_at: new Date() }),
      )
      .execute();
    before.set(change.kind, change.enabled);
    await recordEvent(tx, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: 'user.notifications_changed',
      targetType: 'user',
      targetId: actor.userId,
      context,
      details: { kind: change.kind, enabled: change.enabled },
    });
  }
  return listOwnNotificationPreferences(tx, actor);
}

// ----- queueing ---------------------------------------------------------------------------------------

interface Recipient {
  id: string;
  email: string;
  display_name: string;
  workspace_name: string;
  workspace_id: string;
}

async function loadRecipients(tx: Kysely<Database>, userIds: readonly string[]): Promise<Recipient[]> {
  if (userIds.length === 0) return [];
  return (
    tx
      .selectFrom('users as u')
      .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
      .select(['u.id', 'u.email', 'u.display_name', 'w.name as workspace_name', 'w.id as workspace_id'])
      .where('u.id', 'in', [...new Set(userIds)])
      // Only people who can act on it: an invited person has not signed in yet, a deactivated one cannot.
      .where('u.status', '=', 'active')
      .orderBy('u.id')
      .execute()
  );
}

async function displayNameOf(tx: Kysely<Database>, userId: string): Promise<string> {
  const row = await tx
    .selectFrom('users')
    .select(['display_name', 'email'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.display_name.trim() || row?.email || 'Someone';
}

/**
 * Queues one mail of `kind` to each recipient other than the actor who wants it, rendered for them.
 * Returns the ids of the people mailed.
 */
async function queueNotifications(
  tx: Kysely<Database>,
  kind: NotificationKind,
  userIds: readonly string[],
  actorId: string | null,
  render: (recipient: Recipient, urls: { to: (path: string) => string; preferencesUrl: string }) => RenderedMail,
): Promise<string[]> {
  const deps = depsOf.get(databaseOf(tx));
  // An app attaches its deps at start-up; a database without them (a command-line tool) mails nothing.
  if (!deps) return [];
  const people = recipientsOtherThanActor(await loadRecipients(tx, userIds), actorId);
  const wanting = await usersWantingNotification(
    tx,
    people.map((p) => p.id),
    kind,
  );
  const to = (path: string) => new URL(path, deps.publicUrl).toString();
  const preferencesUrl = to('/app/security#notifications');
  const mailed: string[] = [];
  for (const person of people) {
    if (!wanting.has(person.id)) continue;
    const mail = render(person, { to, preferencesUrl });
    await enqueueMail(tx, deps, {
      workspaceId: person.workspace_id,
      kind: `notification:${kind}`,
      to: person.email,
      ...mail,
    });
    mailed.push(person.id);
  }
  return mailed;
}

const recipientFields = (person: Recipient, preferencesUrl: string) => ({
  workspaceName: person.workspace_name,
  displayName: person.display_name.trim() || person.email,
  preferencesUrl,
});

async function accountNameOf(tx: Kysely<Database>, accountId: string): Promise<string> {
  const row = await tx.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirstOrThrow();
  return row.name;
}

async function partnerNameOf(tx: Kysely<Database>, partnerId: string): Promise<string> {
  const row = await tx.selectFrom('partners').select('name').where('id', '=', partnerId).executeTakeFirstOrThrow();
  return row.name;
}

// ----- triggers ---------------------------------------------------------------------------------------

/** An owner shared an account with a member (SPEC §8a: "a person is told when an account is shared with them"). */
export async function notifyAccountSharedWithMember(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  userId: string,
  role: 'owner' | 'collaborator',
  accessUntil: Date | null = null,
): Promise<void> {
  const [accountName, sharerName] = await Promise.all([accountNameOf(tx, accountId), displayNameOf(tx, actor.userId)]);
  await queueNotifications(tx, 'account-shared', [userId], actor.userId, (person, urls) =>
    accountSharedMail({
      ...recipientFields(person, urls.preferencesUrl),
      sharerName,
      accountName,
      role,
      via: 'member',
      accessUntil,
      accountUrl: urls.to(`/app/accounts/${accountId}`),
    }),
  );
}

/**
 * A host admin shared accounts with a partner (one **Share accounts**): the share reaches the partner's
 * guest admins, so each active guest admin gets one mail naming every account of it (guest users get an
 * account only when a manager passes it on, and are told then).
 */
export async function notifyAccountSharedWithPartner(
  tx: Kysely<Database>,
  actor: Actor,
  partnerId: string,
  items: ReadonlyArray<{ accountId: string; role: 'manager' | 'collaborator' }>,
  accessUntil: Date | null = null,
): Promise<void> {
  if (items.length === 0) return;
  const guestAdmins = await tx
    .selectFrom('partner_members')
    .select('user_id')
    .where('partner_id', '=', partnerId)
    .where('role', '=', 'guest_admin')
    .execute();
  if (guestAdmins.length === 0) return;
  const names = new Map(
    (
      await tx
        .selectFrom('accounts')
        .select(['id', 'name'])
        .where(
          'id',
          'in',
          items.map((item) => item.accountId),
        )
        .execute()
    ).map((row) => [row.id, row.name]),
  );
  const [sharerName, partnerName] = await Promise.all([displayNameOf(tx, actor.userId), partnerNameOf(tx, partnerId)]);
  const accounts = items.map((item) => ({ name: names.get(item.accountId) ?? 'an account', role: item.role }));
  const path = items.length === 1 ? `/app/accounts/${items[0]!.accountId}` : `/app/partners/${partnerId}`;
  await queueNotifications(
    tx,
    'account-shared',
    guestAdmins.map((row) => row.user_id),
    actor.userId,
    (person, urls) =>
      sharedWithPartnerMail({
        ...recipientFields(person, urls.preferencesUrl),
        sharerName,
        partnerName,
        accounts,
        accessUntil,
        url: urls.to(path),
      }),
  );
}

/**
 * A manager passed an account on to a guest user: the guest user is told it was shared with them, and
 * the account's owners that it was passed on.
 */
export async function notifyAccessPassedOn(
  tx: Kysely<Database>,
  actor: Actor,
  accountId: string,
  guestUserId: string,
  partnerId: string | null,
  accessUntil: Date | null = null,
): Promise<void> {
  if (!partnerId) return;
  const [accountName, managerName, guestName, partnerName] = await Promise.all([
    accountNameOf(tx, accountId),
    displayNameOf(tx, actor.userId),
    displayNameOf(tx, guestUserId),
    partnerNameOf(tx, partnerId),
  ]);
  const accountUrl = (urls: { to: (path: string) => string }) => urls.to(`/app/accounts/${accountId}`);
  await queueNotifications(tx, 'account-shared', [guestUserId], actor.userId, (person, urls) =>
    accountSharedMail({
      ...recipientFields(person, urls.preferencesUrl),
      sharerName: managerName,
      accountName,
      role: 'collaborator',
      via: 'onward',
      partnerName,
      accessUntil,
      accountUrl: accountUrl(urls),
    }),
  );
  const owners = await tx
    .selectFrom('grants')
    .select('user_id')
    .where('account_id', '=', accountId)
    .where('role', '=', 'owner')
    .where('user_id', 'is not', null)
    .execute();
  await queueNotifications(
    tx,
    'passed-on',
    owners.map((row) => row.user_id!),
    actor.userId,
    (person, urls) =>
      accountPassedOnMail({
        ...recipientFields(person, urls.preferencesUrl),
        managerName,
        partnerName,
        guestName,
        accountName,
        accountUrl: accountUrl(urls),
      }),
  );
}

/** A guest completed their first sign-in: their sponsor (who invited them) is told. */
export async function notifyGuestJoined(
  tx: Kysely<Database>,
  guestUserId: string,
  invitationId: string,
): Promise<void> {
  const invitation = await tx
    .selectFrom('invitations as i')
    .innerJoin('users as g', 'g.id', 'i.user_id')
    .innerJoin('partners as p', 'p.id', 'i.partner_id')
    .select(['i.invited_by', 'i.partner_id', 'g.display_name', 'g.email', 'p.name as partner_name'])
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
  if (!invitation?.invited_by || !invitation.partner_id) return;
  const partnerId = invitation.partner_id;
  await queueNotifications(tx, 'guest-joined', [invitation.invited_by], guestUserId, (person, urls) =>
    guestJoinedMail({
      ...recipientFields(person, urls.preferencesUrl),
      guestName: invitation.display_name.trim() || invitation.email,
      guestEmail: invitation.email,
      partnerName: invitation.partner_name,
      guestUrl: urls.to(`/app/partners/${partnerId}/members/${guestUserId}`),
    }),
  );
}

/**
 * A new device of the person waits for approval from one of their trusted devices (security mail,
 * always sent). The person is the actor here, yet is told: the mail exists for the case where the
 * device is not theirs. A device waiting for its emailed code is not notified again: that mail is the notice.
 */
export async function notifyDeviceWaiting(
  tx: Kysely<Database>,
  device: Pick<Device, 'user_id' | 'name' | 'kind' | 'ip' | 'created_at'>,
): Promise<void> {
  await queueNotifications(tx, 'device-waiting', [device.user_id], null, (person, urls) =>
    deviceWaitingMail({
      ...recipientFields(person, urls.preferencesUrl),
      deviceName: device.name,
      kindName: device.kind === 'browser' ? 'web browser' : clientAppName(device.kind),
      requestedAt: device.created_at,
      ip: device.ip,
      devicesUrl: urls.to('/app/devices'),
    }),
  );
}

/**
 * For the expiry job: warns `userIds` (the guest's sponsor, the host admins, …) that something ends by
 * itself at `endsAt`, unless they turned **Access ends soon** off. `path` is the page to open
 * (e.g. `/app/accounts/{id}`). Returns the ids of the people mailed.
 */
export async function notifyAccessExpiring(
  tx: Kysely<Database>,
  input: { userIds: readonly string[]; whatEnds: string; endsAt: Date; path: string; linkLabel: string },
): Promise<string[]> {
  return queueNotifications(tx, ACCESS_EXPIRING, input.userIds, null, (person, urls) =>
    accessExpiringMail({
      ...recipientFields(person, urls.preferencesUrl),
      whatEnds: input.whatEnds,
      endsAt: input.endsAt,
      url: urls.to(input.path),
      linkLabel: input.linkLabel,
    }),
  );
}
