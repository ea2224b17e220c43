import { sql, type Kysely } from 'kysely';

// Issue 11, SPEC §2a: members are invited (no admin-chosen password), can recover a forgotten password,
// and have their email changed by a link to the new address.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One invitations table for both kinds of people: a guest's names its partner and a guest role; a
  // member's has no partner and a workspace role (admin or member) and never a temporary password.
  await sql`ALTER TABLE invitations ALTER COLUMN partner_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE invitations DROP CONSTRAINT invitations_role_check`.execute(db);
  await sql`
    ALTER TABLE invitations
      ADD CONSTRAINT invitations_role_check CHECK (role IN ('guest_admin', 'guest_user', 'admin', 'member')),
      ADD CONSTRAINT invitations_member_or_guest CHECK (
        (partner_id IS NULL AND role IN ('admin', 'member') AND temp_password_hash IS NULL)
        OR (partner_id IS NOT NULL AND role IN ('guest_admin', 'guest_user'))
      )`.execute(db);

  // Forgot your password? A reset link's token is kept only as its hash, used once, and short-lived.
  await sql`
    CREATE TABLE password_resets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      requested_ip text
    )`.execute(db);
  await sql`CREATE INDEX password_resets_user ON password_resets (user_id, created_at DESC)`.execute(db);

  // Change email: the new address is proven by a link sent to it; until then the old one stays.
  await sql`
    CREATE TABLE email_changes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      new_email text NOT NULL,
      requested_by uuid REFERENCES users(id),
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      cancelled_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX email_changes_user ON email_changes (user_id, created_at DESC)`.execute(db);
}
