import { sql, type Kysely } from 'kysely';
import type { Database, User } from '../../../db/schema.js';
import { recordEvent } from '../../activity.js';
import { ScimError } from '../errors.js';
import type { ScimCaller } from '../tokens.js';
import { activate, deprovision } from './member-status.js';
import { auditOf, ownerRefusal, rethrowUniqueness } from './shared.js';
import type { UserInput } from './user-input.js';

/** Brings the member to what the IdP says, recording one event per kind of change. */
export async function applyChanges(
  tx: Kysely<Database>,
  caller: ScimCaller,
  user: User,
  input: UserInput,
): Promise<void> {
  const changed: string[] = [];
  if (input.email !== user.email.toLowerCase()) {
    if (user.role === 'owner')
      throw new ScimError(400, 'The workspace owner’s email address is changed in Gatehouse only.', 'mutability');
    // A person with a Gatehouse password could otherwise be taken over by a reset link to the new address.
    if (user.password_hash !== null)
      throw new ScimError(
        400,
        'This member signs in with a Gatehouse password; their email address is changed in Gatehouse (Change email), not through SCIM.',
        'mutability',
      );
    await rethrowUniqueness(
      tx
        .updateTable('users')
        .set({ email: input.email, username: input.email, updated_at: sql`now()` })
        .where('id', '=', user.id)
        .execute(),
      `A person with userName ${input.email} already exists in this workspace.`,
    );
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'user.email_changed',
      targetType: 'user',
      targetId: user.id,
      context: caller.context,
      details: { ...auditOf(caller), from: user.email, to: input.email },
    });
  }
  if (
    input.displayName !== user.display_name ||
    input.givenName !== user.given_name ||
    input.familyName !== user.family_name
  ) {
    await tx
      .updateTable('users')
      .set({
        display_name: input.displayName,
        given_name: input.givenName,
        family_name: input.familyName,
        updated_at: sql`now()`,
      })
      .where('id', '=', user.id)
      .execute();
    changed.push('name');
  }
  const link = await tx
    .selectFrom('scim_users')
    .select('external_id')
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if ((link?.external_id ?? null) !== input.externalId) {
    await rethrowUniqueness(
      tx
        .insertInto('scim_users')
        .values({ user_id: user.id, workspace_id: caller.workspaceId, external_id: input.externalId })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ external_id: input.externalId }))
        .execute(),
      `Another user already has externalId ${input.externalId ?? ''}.`,
    );
    changed.push('externalId');
  }
  if (changed.length > 0)
    await recordEvent(tx, {
      workspaceId: caller.workspaceId,
      actorId: null,
      action: 'member.updated',
      targetType: 'user',
      targetId: user.id,
      context: caller.context,
      details: { ...auditOf(caller), email: input.email, changed },
    });
  if (!input.active && user.status !== 'deactivated') {
    if (user.role === 'owner') throw ownerRefusal();
    await deprovision(tx, caller, { ...user, email: input.email }, 'deprovisioned');
  } else if (input.active && user.status !== 'active') {
    await activate(tx, caller, { ...user, email: input.email });
  }
}
