import { sql, type Kysely } from 'kysely';

// The accounts vault: per-workspace data keys wrapped by master keys, accounts with sealed fields, grants.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE workspace_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`.execute(db);
  // One active data key per workspace: the one new ciphertexts use.
  await sql`CREATE UNIQUE INDEX workspace_keys_one_active ON workspace_keys (workspace_id) WHERE retired_at IS NULL`.execute(
    db,
  );
  // A data key is wrapped once per master key; rotation adds the new master key's wrap beside the old one,
  // so servers still running with the old key keep working until they restart.
  await sql`
    CREATE TABLE workspace_key_wraps (
      workspace_key_id uuid NOT NULL REFERENCES workspace_keys(id),
      master_key_id text NOT NULL,
      wrapped_key text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_key_id, master_key_id)
    )`.execute(db);

  await sql`
    CREATE TABLE accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      app_name text NOT NULL CHECK (length(app_name) <= 100),
      login_url text CHECK (length(login_url) <= 2048),
      username_sealed text,
      password_sealed text,
      totp_secret_sealed text,
      notes_sealed text,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX accounts_workspace ON accounts (workspace_id) WHERE deleted_at IS NULL`.execute(db);

  // SPEC §11: a grant's subject is a user or a partner. A partner grant stands for whoever is guest admin
  // of that partner now; an onward share is a user grant whose parent is the partner grant.
  await sql`
    CREATE TABLE grants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id),
      partner_id uuid REFERENCES partners(id),
      role text NOT NULL CHECK (role IN ('owner', 'manager', 'collaborator')),
      granted_by uuid REFERENCES users(id),
      parent_grant_id uuid REFERENCES grants(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      CHECK ((user_id IS NULL) <> (partner_id IS NULL)),
      CHECK (partner_id IS NULL OR role IN ('manager', 'collaborator'))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX grants_user ON grants (user_id, account_id) WHERE user_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX grants_partner ON grants (partner_id, account_id) WHERE partner_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX grants_account ON grants (account_id)`.execute(db);
  await sql`CREATE INDEX grants_parent ON grants (parent_grant_id) WHERE parent_grant_id IS NOT NULL`.execute(db);
}
