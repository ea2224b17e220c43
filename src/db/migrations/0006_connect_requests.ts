import { sql, type Kysely } from 'kysely';

// SPEC §7a, issue 9: connecting a client app with the OAuth 2.0 device authorization grant (RFC 8628).
// A connect request is made by the client before anyone signs in (so it has no workspace yet), and is
// approved or denied by a signed-in person at /app/connect. The device code (the client's secret) and
// the user code (typed or followed by the person) are stored only as keyed hashes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE connect_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      device_code_hash text NOT NULL UNIQUE,
      user_code_hash text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('extension', 'cli')),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
      denial_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      interval_s integer NOT NULL,
      last_polled_at timestamptz,
      client_ip text,
      client_user_agent text,
      workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      device_id uuid REFERENCES devices(id) ON DELETE CASCADE,
      decided_at timestamptz,
      CHECK (status = 'pending' OR status = 'denied' OR (user_id IS NOT NULL AND device_id IS NOT NULL))
    )`.execute(db);
  // A user code is unique among the requests still waiting; old ones may repeat it.
  await sql`CREATE UNIQUE INDEX connect_requests_pending_user_code ON connect_requests (user_code_hash) WHERE status = 'pending'`.execute(
    db,
  );
  await sql`CREATE INDEX connect_requests_expiry ON connect_requests (expires_at)`.execute(db);

  // A client app's session belongs to the device it connected as: removing or denying that device, or
  // the workspace no longer approving its kind, ends the session at its next request.
  await sql`ALTER TABLE sessions ADD COLUMN device_id uuid REFERENCES devices(id) ON DELETE CASCADE`.execute(db);
  await sql`CREATE INDEX sessions_device ON sessions (device_id) WHERE device_id IS NOT NULL`.execute(db);
}
