import { sql, type Kysely } from 'kysely';

// Second factors (TOTP, passkeys, recovery codes), trusted devices, session assurance and attempt counters.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE workspaces
      ADD COLUMN device_approval_days integer NOT NULL DEFAULT 90 CHECK (device_approval_days BETWEEN 1 AND 365)`.execute(
    db,
  );

  await sql`
    CREATE TABLE mfa_factors (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      kind text NOT NULL CHECK (kind IN ('totp', 'passkey')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      totp_sealed_secret text,
      totp_last_step bigint,
      credential_id text,
      public_key text,
      sign_count bigint NOT NULL DEFAULT 0,
      transports text[] NOT NULL DEFAULT '{}',
      confirmed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      CHECK (kind <> 'totp' OR totp_sealed_secret IS NOT NULL),
      CHECK (kind <> 'passkey' OR (credential_id IS NOT NULL AND public_key IS NOT NULL AND confirmed_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX mfa_factors_user ON mfa_factors (user_id)`.execute(db);
  // One TOTP authenticator per user once confirmed; a passkey's credential id is unique everywhere.
  await sql`CREATE UNIQUE INDEX mfa_factors_one_totp ON mfa_factors (user_id) WHERE kind = 'totp' AND confirmed_at IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX mfa_factors_credential ON mfa_factors (credential_id) WHERE credential_id IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE recovery_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id),
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX recovery_codes_user ON recovery_codes (user_id) WHERE used_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE devices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id),
      user_id uuid NOT NULL REFERENCES users(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      kind text NOT NULL DEFAULT 'browser' CHECK (kind IN ('browser', 'extension', 'cli')),
      status text NOT NULL CHECK (status IN ('pending_verification', 'pending_approval', 'approved', 'denied', 'removed')),
      secret_hash text NOT NULL UNIQUE,
      approved_until timestamptz,
      code_hash text,
      code_expires_at timestamptz,
      code_attempts integer NOT NULL DEFAULT 0,
      decided_by_device_id uuid REFERENCES devices(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz,
      last_seen_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db);
  // Names are unique among a user's live devices; a removed or denied record keeps its name for history.
  await sql`CREATE UNIQUE INDEX devices_unique_name ON devices (user_id, lower(name)) WHERE status NOT IN ('removed', 'denied')`.execute(
    db,
  );
  await sql`CREATE INDEX devices_user ON devices (user_id, status)`.execute(db);

  await sql`
    ALTER TABLE sessions
      ADD COLUMN second_factor_at timestamptz,
      ADD COLUMN identity_confirmed_at timestamptz,
      ADD COLUMN webauthn_challenge text,
      ADD COLUMN webauthn_challenge_expires_at timestamptz`.execute(db);

  // The database store of attempt counters when no Redis is configured (rate-limiter-flexible's layout).
  await sql`
    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )`.execute(db);
}
