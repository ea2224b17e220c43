import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: how Gatehouse authenticates at the IdP's token endpoint. For private_key_jwt the
// workspace has its own signing key pair: the private JWK sealed with the workspace data key, the public
// JWK in clear (it is published as the workspace's JWKS).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN idp_client_auth text NOT NULL DEFAULT 'client_secret_basic'`.execute(db);
  await sql`ALTER TABLE workspaces ADD CONSTRAINT workspaces_idp_client_auth_check
    CHECK (idp_client_auth IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt'))`.execute(db);
  await sql`ALTER TABLE workspaces ADD COLUMN idp_signing_key_sealed text`.execute(db);
  await sql`ALTER TABLE workspaces ADD COLUMN idp_signing_public_jwk text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces DROP CONSTRAINT workspaces_idp_client_auth_check`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_signing_public_jwk`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_signing_key_sealed`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_client_auth`.execute(db);
}
