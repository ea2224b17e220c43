import { sql, type Kysely } from 'kysely';
import type { Database, WorkspaceMode } from '../db/schema.js';
import type { RequestContext } from '../domain/actor.js';
import { conflict, invalid } from '../domain/errors.js';
import { checkPassword, passwordFieldErrors } from '../domain/password-policy.js';
import { RESERVED_SLUGS } from '../domain/slug.js';
import { hashPassword } from '../crypto/passwords.js';
import { recordEvent } from './activity.js';
import { acceptTerms, DEFAULT_TERMS_BODY, publishTerms } from './terms.js';
import { issuerUrlProblem } from './oidc.js';
import { isUniqueViolation, toUserView, toWorkspaceView, type UserView, type WorkspaceView } from './users.js';

export interface CreateWorkspaceInput {
  slug: string;
  name: string;
  mode?: WorkspaceMode;
  domains?: string[];
  owner: { email: string; displayName: string; password: string };
  /** How members sign in, for `idp` mode: the OpenID Connect issuer, client id and waiting-page countdown. */
  idp?: { issuer: string; clientId: string; redirectSeconds?: number };
}

/** Seconds the waiting page counts down before sending members to the IdP (the column's CHECK range). */
export const REDIRECT_SECONDS_RANGE = { min: 0, max: 60 } as const;

const idpProblem = (detail: string, path: string) =>
  invalid('idp-settings-invalid', detail, [{ path, message: detail }]);

/** The idp_* column values for a new workspace; `idp` mode needs an issuer and a client id. */
function idpColumns(input: CreateWorkspaceInput) {
  const mode = input.mode ?? 'local';
  const idp = input.idp;
  if (mode !== 'idp') {
    if (idp) throw idpProblem('Identity provider settings apply only to a workspace in idp mode.', 'mode');
    return {};
  }
  if (!idp?.issuer?.trim()) {
    throw idpProblem('A workspace in idp mode needs the issuer URL of its identity provider.', 'idp.issuer');
  }
  if (!idp.clientId?.trim()) {
    throw idpProblem(
      'A workspace in idp mode needs the client id registered at its identity provider.',
      'idp.clientId',
    );
  }
  const issuer = idp.issuer.trim();
  const issuerProblem = issuerUrlProblem(issuer);
  if (issuerProblem) throw idpProblem(`The issuer URL ${issuerProblem}.`, 'idp.issuer');
  const seconds = idp.redirectSeconds;
  if (
    seconds !== undefined &&
    (!Number.isInteger(seconds) || seconds < REDIRECT_SECONDS_RANGE.min || seconds > REDIRECT_SECONDS_RANGE.max)
  ) {
    throw idpProblem(
      `The redirect delay must be a whole number of seconds from ${REDIRECT_SECONDS_RANGE.min} to ${REDIRECT_SECONDS_RANGE.max}.`,
      'idp.redirectSeconds',
    );
  }
  return {
    idp_issuer: issuer,
    idp_client_id: idp.clientId.trim(),
    ...(seconds === undefined ? {} : { idp_redirect_seconds: seconds }),
  };
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
  const idp = idpColumns(input);
  const workspace = await tx
    .insertInto('workspaces')
    .values({
      slug: input.slug,
      name: input.name,
      mode: input.mode ?? 'local',
      verified_domains: input.domains ?? [],
      ...idp,
    })
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
    details: {
      slug: workspace.slug,
      name: workspace.name,
      mode: workspace.mode,
      ...(workspace.mode === 'idp'
        ? {
            idpIssuer: workspace.idp_issuer,
            idpClientId: workspace.idp_client_id,
            idpRedirectSeconds: workspace.idp_redirect_seconds,
          }
        : {}),
    },
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
  // Every workspace starts with terms of service (admins replace the text); the owner, who set it up, accepts them.
  await publishTerms(tx, workspace.id, owner.id, DEFAULT_TERMS_BODY, context);
  await acceptTerms(
    tx,
    { userId: owner.id, workspaceId: workspace.id, role: 'owner', status: 'active' },
    { version: 1 },
    context,
  );
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
