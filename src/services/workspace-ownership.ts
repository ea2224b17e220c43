import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { forbidden, invalid, notFound } from '../domain/errors.js';
import { memberPolicy, type MemberTarget } from '../domain/policies/members.js';
import { enqueueMail, type MailKeys } from '../mail/outbox.js';
import { ownershipTransferredMail } from '../mail/member-mails.js';
import { recordEvent } from './activity.js';
import { toUserView, type UserView } from './users.js';

/**
 * **Transfer workspace ownership** (SPEC §2a, issue 11): the owner hands the role to an active admin. The
 * route asks for a fresh identity confirmation. In one transaction the owner becomes an admin and the
 * admin the owner (demoted first: the partial unique index `users_one_owner` allows one owner at a time),
 * the event is written and both are emailed.
 */

export interface WorkspaceOwnershipDeps extends MailKeys {
  publicUrl: URL;
}

export interface OwnershipTransferred {
  previousOwner: UserView;
  newOwner: UserView;
}

const onlyOwner = () => forbidden('Only the workspace owner can transfer the ownership of the workspace.');

const notAnActiveAdmin = (detail: string) =>
  invalid('new-owner-not-active-admin', detail, [{ path: 'userId', message: 'Choose an active admin.' }]);

/** Whether the actor may transfer the ownership at all (to some active admin): what the web app offers. */
export function mayTransferOwnership(actor: Actor): boolean {
  return actor.role === 'owner';
}

export async function transferOwnership(
  tx: Kysely<Database>,
  deps: WorkspaceOwnershipDeps,
  actor: Actor,
  userId: string,
  context: RequestContext,
): Promise<OwnershipTransferred> {
  if (!mayTransferOwnership(actor)) throw onlyOwner();
  // The owner's row first, locked: two transfers at once run one after the other, and the second finds
  // its actor no longer the owner.
  const owner = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', actor.userId)
    .where('workspace_id', '=', actor.workspaceId)
    .forUpdate()
    .executeTakeFirst();
  if (owner?.role !== 'owner' || owner.status !== 'active') throw onlyOwner();
  const current: Actor = { ...actor, role: owner.role, status: owner.status };

  if (userId === actor.userId) throw notAnActiveAdmin('You already own this workspace: choose an active admin.');
  const user = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', userId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('kind', '=', 'member')
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw notFound('Member', 'This member does not exist in this workspace.');
  const target: MemberTarget = { userId: user.id, role: user.role, status: user.status };
  if (!memberPolicy.transferOwnership(current, target)) {
    throw notAnActiveAdmin(
      user.role !== 'admin'
        ? `${user.display_name} is not an admin. Make them an admin first: ownership goes to an active admin.`
        : `${user.display_name} is not active. Ownership goes to an active admin.`,
    );
  }

  const previousOwner = await tx
    .updateTable('users')
    .set({ role: 'admin', updated_at: sql`now()` })
    .where('id', '=', owner.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const newOwner = await tx
    .updateTable('users')
    .set({ role: 'owner', updated_at: sql`now()` })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();

  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.ownership_transferred',
    targetType: 'user',
    targetId: newOwner.id,
    context,
    details: { from: previousOwner.email, to: newOwner.email },
  });

  const workspace = await tx
    .selectFrom('workspaces')
    .select('name')
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  const settingsUrl = new URL('/app/settings/workspace', deps.publicUrl).toString();
  for (const [person, toNewOwner] of [
    [newOwner, true],
    [previousOwner, false],
  ] as const) {
    const mail = ownershipTransferredMail({
      workspaceName: workspace.name,
      displayName: person.display_name,
      previousOwnerName: previousOwner.display_name,
      newOwnerName: newOwner.display_name,
      toNewOwner,
      settingsUrl,
    });
    await enqueueMail(tx, deps, {
      workspaceId: actor.workspaceId,
      kind: 'ownership-transferred',
      to: person.email,
      ...mail,
    });
  }
  return { previousOwner: toUserView(previousOwner), newOwner: toUserView(newOwner) };
}
