import { sql, type Kysely } from 'kysely';
import { hashToken, randomToken } from '../../crypto/tokens.js';
import type { Database } from '../../db/schema.js';
import type { Actor, RequestContext } from '../../domain/actor.js';
import { forbidden, notFound } from '../../domain/errors.js';
import { scimPolicy } from '../../domain/policies/scim.js';
import { recordEvent } from '../activity.js';

/**
 * SCIM tokens (SPEC §2b): an admin creates one per identity-provider connection, sees it once, and can
 * revoke it. The token alone names the workspace; only its SHA-256 is stored.
 */

export interface ScimTokenView {
  id: string;
  name: string;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
}

/** Who a SCIM request acts as: the identity provider, through one token of one workspace. */
export interface ScimCaller {
  workspaceId: string;
  tokenId: string;
  tokenName: string;
  context: RequestContext;
}

/** Readable in a secret scanner's rules and in a support ticket, without giving anything away. */
const TOKEN_PREFIX = 'gh_scim_';

const refuse = () => forbidden('Only the workspace owner and admins manage SCIM tokens.');

export async function createScimToken(
  tx: Kysely<Database>,
  actor: Actor,
  name: string,
  context: RequestContext,
): Promise<{ token: string; view: ScimTokenView }> {
  if (!scimPolicy.createToken(actor)) {
    throw forbidden('Only the workspace owner creates SCIM tokens: a token can make and unmake admins.');
  }
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  const row = await tx
    .insertInto('scim_tokens')
    .values({ workspace_id: actor.workspaceId, name, token_hash: hashToken(token), created_by: actor.userId })
    .returning(['id', 'name', 'created_at'])
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.scim_token_created',
    context,
    details: { tokenId: row.id, tokenName: name },
  });
  const creator = await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst();
  return {
    token,
    view: {
      id: row.id,
      name: row.name,
      createdAt: row.created_at.toISOString(),
      createdBy: creator?.display_name ?? null,
      lastUsedAt: null,
    },
  };
}

export async function listScimTokens(db: Kysely<Database>, actor: Actor): Promise<ScimTokenView[]> {
  if (!scimPolicy.manageTokens(actor)) throw refuse();
  const rows = await db
    .selectFrom('scim_tokens as t')
    .leftJoin('users as u', 'u.id', 't.created_by')
    .select(['t.id', 't.name', 't.created_at', 't.last_used_at', 'u.display_name'])
    .where('t.workspace_id', '=', actor.workspaceId)
    .where('t.revoked_at', 'is', null)
    .orderBy('t.created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    createdBy: row.display_name,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  }));
}

export async function revokeScimToken(
  tx: Kysely<Database>,
  actor: Actor,
  tokenId: string,
  context: RequestContext,
): Promise<void> {
  if (!scimPolicy.manageTokens(actor)) throw refuse();
  const revoked = await tx
    .updateTable('scim_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', tokenId)
    .where('workspace_id', '=', actor.workspaceId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'name'])
    .executeTakeFirst();
  if (!revoked) throw notFound('SCIM token', 'This SCIM token does not exist or was already revoked.');
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.scim_token_revoked',
    context,
    details: { tokenId: revoked.id, tokenName: revoked.name },
  });
}

/** How often a token's last use is written: the list shows the day, not every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The workspace a live token belongs to, or null (unknown, revoked, or not a token at all). */
export async function authenticateScimToken(
  db: Kysely<Database>,
  token: string,
  context: RequestContext,
  now: Date,
): Promise<ScimCaller | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 128) return null;
  const row = await db
    .selectFrom('scim_tokens')
    .select(['id', 'workspace_id', 'name', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('scim_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { workspaceId: row.workspace_id, tokenId: row.id, tokenName: row.name, context };
}
