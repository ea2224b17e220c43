import { sql, type Kysely } from 'kysely';

// Local partners, guest invitations, the mail outbox, terms of service and IdP sign-in state.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE workspaces
      ADD COLUMN invitation_ttl_hours integer NOT NULL DEFAULT 48 CHECK (invitation_ttl_hours BETWEEN 1 AND 720),
      ADD COLUMN password_min_length integer NOT NULL DEFAULT 12 CHECK (password_min_length BETWEEN 8 AND 128),
      ADD COLUMN idp_issuer text,
      ADD COLUMN idp_client_id text,
      ADD COLUMN idp_redirect_seconds integer NOT NULL DEFAULT 5 CHECK (idp_redirect_seconds BETWEEN 0 AND 60)`.execute(
    db,
  );

  await sql`
    CREATE TABLE partners (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX partners_unique_name ON partners (workspace_id, lower(name)) WHERE status = 'active'`.execute(
    db,
  );

  await sql`
    CREATE TABLE partner_members (
      partner_id uuid NOT NULL REFERENCES partners(id),
      user_id uuid NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('host_admin', 'guest_admin', 'guest_user')),
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, user_id)
    )`.execute(db);
  // A guest belongs to exactly one partner; a member may host several.
  await sql`CREATE UNIQUE INDEX partner_members_one_partner_per_guest ON partner_members (user_id) WHERE role <> 'host_admin'`.execute(
    db,
  );
  await sql`CREATE INDEX partner_members_user ON partner_members (user_id)`.execute(db);

  await sql`
    CREATE TABLE invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      partner_id uuid NOT NULL REFERENCES partners(id),
      user_id uuid NOT NULL REFERENCES users(id),
      invited_by uuid REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('guest_admin', 'guest_user')),
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'expired', 'revoked')),
      temp_password_hash text,
      link_token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      times_sent integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      accepted_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX invitations_one_pending_per_user ON invitations (user_id) WHERE state = 'pending'`.execute(
    db,
  );
  await sql`CREATE INDEX invitations_partner ON invitations (partner_id, created_at)`.execute(db);
  await sql`CREATE INDEX invitations_pending_expiry ON invitations (expires_at) WHERE state = 'pending'`.execute(db);

  // Mail is written here in the same transaction as the change that causes it, then sent by a worker.
  // The message body is sealed with a key derived from the master key: it may hold a temporary password.
  await sql`
    CREATE TABLE outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid REFERENCES workspaces(id),
      invitation_id uuid REFERENCES invitations(id),
      kind text NOT NULL,
      recipient text NOT NULL,
      subject text NOT NULL,
      sealed_body text,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending'`.execute(db);
  await sql`CREATE INDEX outbox_invitation ON outbox (invitation_id, created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE terms_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      version integer NOT NULL,
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
      body_sha256 text NOT NULL,
      published_by uuid REFERENCES users(id),
      published_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (workspace_id, version)
    )`.execute(db);

  await sql`
    CREATE TABLE terms_acceptances (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      terms_version_id uuid NOT NULL REFERENCES terms_versions(id),
      body_sha256 text NOT NULL,
      accepted_at timestamptz NOT NULL DEFAULT now(),
      ip text,
      user_agent text,
      UNIQUE (user_id, terms_version_id)
    )`.execute(db);

  // Pending OpenID Connect sign-ins: state → nonce and PKCE verifier, for ten minutes.
  await sql`
    CREATE TABLE oidc_requests (
      state_hash text PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
}
