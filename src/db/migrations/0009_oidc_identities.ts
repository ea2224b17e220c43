import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: members sign in through the workspace's OpenID Connect provider. A person is known
// by the provider's (issuer, sub), linked once to a Gatehouse user; the client secret is sealed with the
// workspace data key like the vault's fields; just-in-time provisioning is off unless an admin turns it on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE user_identities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      issuer text NOT NULL,
      subject text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      UNIQUE (workspace_id, issuer, subject)
    )`.execute(db);
  await sql`CREATE INDEX user_identities_user ON user_identities (user_id)`.execute(db);
  await sql`
    ALTER TABLE workspaces
      ADD COLUMN idp_jit boolean NOT NULL DEFAULT false,
      ADD COLUMN idp_client_secret_sealed text`.execute(db);
}
