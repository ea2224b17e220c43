import { sql, type Kysely } from 'kysely';
import type { Database, WorkspaceMode } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid } from '../domain/errors.js';
import { checkPassword, passwordFieldErrors } from '../domain/password-policy.js';
import { RESERVED_SLUGS } from '../domain/slug.js';
import { hashPassword } from '../crypto/passwords.js';
import { recordEvent } from './activity.js';
import { isUniqueViolation, toUserView, toWorkspaceView, type UserView, type WorkspaceView } from './users.js';

export interface CreateWorkspaceInput {
  slug: string;
  name: string;
  mode?: WorkspaceMode;
  domains?: string[];
  owner: { email: string; displayName: string; password: string };
}

export interface CreatedWorkspace {
  workspace: WorkspaceView;
  owner: UserView;
}

/** Hashes outside the transaction: argon2 takes tens of milliseconds and must not hold locks. */
export async function prepareOwnerPassword(input: CreateWorkspaceInput): Promise<string> {
  const problems = checkPassword(input.owner.password, { username: input.owner.email, email: input.owner.email });
  if (problems.length > 0) {
    throw invalid('weak-password', problems.join(' '), passwordFieldErrors('password', problems));
  }
  return hashPassword(input.owner.password);
}

/** Creates a workspace and its owner. Used by first-run set-up and by `gatehouse workspace create`. */
export async function createWorkspace(
  tx: Kysely<Database>,
  input: CreateWorkspaceInput,
  passwordHash: string,
  context: RequestContext,
): Promise<CreatedWorkspace> {
  if (RESERVED_SLUGS.has(input.slug)) {
    throw invalid('slug-reserved', `"${input.slug}" is reserved; choose another workspace URL name.`, [
      { path: 'slug', message: 'This name is reserved.' },
    ]);
  }
  const workspace = await tx
    .insertInto('workspaces')
    .values({ slug: input.slug, name: input.name, mode: input.mode ?? 'local', verified_domains: input.domains ?? [] })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw conflict('slug-taken', `A workspace named "${input.slug}" already exists.`, [
          { path: 'slug', message: 'This name is taken.' },
        ]);
      }
      throw error;
    });
  const owner = await tx
    .insertInto('users')
    .values({
      workspace_id: workspace.id,
      email: input.owner.email,
      username: input.owner.email,
      display_name: input.owner.displayName,
      kind: 'member',
      role: 'owner',
      status: 'active',
      password_hash: passwordHash,
      updated_at: sql<Date>`now()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    workspaceId: workspace.id,
    actorId: owner.id,
    action: 'workspace.created',
    targetType: 'workspace',
    targetId: workspace.id,
    context,
    details: { slug: workspace.slug, name: workspace.name, mode: workspace.mode },
  });
  await recordEvent(tx, {
    workspaceId: workspace.id,
    actorId: owner.id,
    action: 'member.created',
    targetType: 'user',
    targetId: owner.id,
    context,
    details: { email: owner.email, role: owner.role },
  });
  return { workspace: toWorkspaceView(workspace), owner: toUserView(owner) };
}

export async function countWorkspaces(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('workspaces')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findWorkspaceBySlug(db: Kysely<Database>, slug: string) {
  return db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst();
}
