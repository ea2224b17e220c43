import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, forbidden } from '../domain/errors.js';
import { workspacePolicy } from '../domain/policies/workspace.js';
import { sha256Hex } from '../crypto/tokens.js';
import { recordEvent } from './activity.js';

/**
 * The terms a new workspace starts with. Each paragraph is one line: the page keeps the text's line
 * breaks (TermsText), so a break in mid-sentence would show as one on every screen size.
 */
export const DEFAULT_TERMS_BODY = [
  'Terms of Service',
  'By using this workspace you agree to use the shared accounts only for the work you were given access for, ' +
    'to keep your own password and second factor to yourself, and to report any suspected misuse to the ' +
    'workspace administrators at once. Activity in this workspace is recorded.',
  "The workspace administrators replace this text with their organisation's own terms.",
].join('\n\n');

export interface TermsView {
  version: number;
  body: string;
  bodySha256: string;
  publishedAt: string;
}

export async function currentTerms(db: Kysely<Database>, workspaceId: string) {
  return db
    .selectFrom('terms_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function toTermsView(row: {
  version: number;
  body: string;
  body_sha256: string;
  published_at: Date;
}): TermsView {
  return {
    version: row.version,
    body: row.body,
    bodySha256: row.body_sha256,
    publishedAt: row.published_at.toISOString(),
  };
}

/** Publishes a new version; everyone is asked to accept it at their next request. */
export async function publishTerms(
  tx: Kysely<Database>,
  workspaceId: string,
  publishedBy: string | null,
  body: string,
  context: RequestContext,
): Promise<TermsView> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`terms:${workspaceId}`}, 0))`.execute(tx);
  const latest = await currentTerms(tx, workspaceId);
  const row = await tx
    .insertInto('terms_versions')
    .values({
      workspace_id: workspaceId,
      version: (latest?.version ?? 0) + 1,
      body,
      body_sha256: sha256Hex(body),
      published_by: publishedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    workspaceId,
    actorId: publishedBy,
    action: 'terms.published',
    targetType: 'terms',
    targetId: row.id,
    context,
    details: { version: row.version, bodySha256: row.body_sha256 },
  });
  return toTermsView(row);
}

export async function publishTermsAsAdmin(tx: Kysely<Database>, actor: Actor, body: string, context: RequestContext) {
  if (!workspacePolicy.publishTerms(actor))
    throw forbidden('Only the workspace owner and admins can publish terms of service.');
  const published = await publishTerms(tx, actor.workspaceId, actor.userId, body, context);
  // The publisher has read what they wrote; everyone else is asked.
  await acceptTerms(tx, actor, { version: published.version }, context);
  return published;
}

/**
 * Records that the user accepted exactly this version: the version, the hash of the text they were
 * shown, when, from where and with which browser. A version that is no longer current is refused.
 */
export async function acceptTerms(
  tx: Kysely<Database>,
  actor: Actor,
  input: { version: number },
  context: RequestContext,
): Promise<void> {
  const current = await currentTerms(tx, actor.workspaceId);
  if (!current || current.version !== input.version) {
    throw conflict(
      'terms-changed',
      'The terms of service changed while you were reading them. Read the new version and accept it.',
    );
  }
  const inserted = await tx
    .insertInto('terms_acceptances')
    .values({
      user_id: actor.userId,
      terms_version_id: current.id,
      body_sha256: current.body_sha256,
      ip: context.ip,
      user_agent: context.userAgent,
    })
    .onConflict((oc) => oc.columns(['user_id', 'terms_version_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'terms.accepted',
    targetType: 'terms',
    targetId: current.id,
    context,
    details: { version: current.version, bodySha256: current.body_sha256 },
  });
}

export async function listTermsVersions(db: Kysely<Database>, actor: Actor) {
  if (!workspacePolicy.viewTermsHistory(actor))
    throw forbidden('Only the workspace owner and admins can see past terms.');
  const rows = await db
    .selectFrom('terms_versions as t')
    .select((eb) => [
      't.version',
      't.body',
      't.body_sha256',
      't.published_at',
      eb
        .selectFrom('terms_acceptances as a')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('a.terms_version_id', '=', 't.id')
        .as('acceptances'),
    ])
    .where('t.workspace_id', '=', actor.workspaceId)
    .orderBy('t.version', 'desc')
    .execute();
  return rows.map((row) => ({ ...toTermsView(row), acceptances: Number(row.acceptances ?? 0) }));
}
