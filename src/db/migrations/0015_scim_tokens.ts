import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: SCIM 2.0 provisioning. The identity provider calls /scim/v2 with a bearer token an
// admin created; only the token's SHA-256 is kept. A member the IdP knows by its own id (externalId) keeps
// it here, and one the IdP deleted stays deactivated and out of SCIM's sight until it is provisioned again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE scim_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX scim_tokens_workspace ON scim_tokens (workspace_id, created_at DESC)`.execute(db);
  await sql`
    CREATE TABLE scim_users (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      external_id text,
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX scim_users_external_id ON scim_users (workspace_id, external_id)`.execute(db);
}
