import { sql, type Kysely } from 'kysely';

// Migrations are forward-only and must run on PostgreSQL 15 as well as PGlite (PostgreSQL 17+).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE workspaces (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      mode text NOT NULL DEFAULT 'local' CHECK (mode IN ('local', 'idp')),
      verified_domains text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      email text NOT NULL,
      username text NOT NULL,
      display_name text NOT NULL,
      given_name text,
      family_name text,
      kind text NOT NULL CHECK (kind IN ('member', 'guest')),
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
      status text NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
      password_hash text,
      must_change_password boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'guest') = (role = 'guest'))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_workspace_email ON users (workspace_id, lower(email))`.execute(db);
  await sql`CREATE UNIQUE INDEX users_workspace_username ON users (workspace_id, lower(username))`.execute(db);
  // Exactly one owner per workspace: the unique index gives "at most one"; creation gives "at least one".
  await sql`CREATE UNIQUE INDEX users_one_owner ON users (workspace_id) WHERE role = 'owner'`.execute(db);

  await sql`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash text NOT NULL UNIQUE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL,
      idle_expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_live ON sessions (user_id) WHERE ended_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE activity_events (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid REFERENCES users(id),
      action text NOT NULL,
      target_type text,
      target_id uuid,
      ip text,
      user_agent text,
      details jsonb NOT NULL DEFAULT '{}',
      prev_hash text NOT NULL,
      hash text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX activity_events_workspace_time ON activity_events (workspace_id, seq DESC)`.execute(db);

  // The activity log is append-only: the database itself refuses edits and deletions of single rows.
  await sql`
    CREATE FUNCTION activity_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'activity_events is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER activity_events_no_update_or_delete
      BEFORE UPDATE OR DELETE ON activity_events
      FOR EACH ROW EXECUTE FUNCTION activity_events_append_only()`.execute(db);
}
