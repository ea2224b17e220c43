import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: members sign in through a SAML 2.0 identity provider. The admin pastes the IdP's
// metadata; what Gatehouse relies on (entity id, SSO URL, signing certificates) is parsed from it once and
// kept beside it. Each AuthnRequest Gatehouse sends is remembered until its answer comes back (InResponseTo),
// and each assertion ID is accepted once (replay protection) until the assertion would have expired anyway.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE workspace_saml (
      workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
      metadata_xml text NOT NULL,
      idp_entity_id text NOT NULL,
      idp_sso_url text NOT NULL,
      idp_certificates text[] NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE saml_requests (
      id text PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);
  await sql`
    CREATE TABLE saml_consumed_assertions (
      id text NOT NULL,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, id)
    )`.execute(db);
  await sql`CREATE INDEX saml_consumed_assertions_expiry ON saml_consumed_assertions (expires_at)`.execute(db);
  await sql`CREATE INDEX saml_requests_expiry ON saml_requests (expires_at)`.execute(db);
}
