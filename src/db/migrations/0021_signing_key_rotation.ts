import { sql, type Kysely } from 'kysely';

// Issue 10: **Rotate key** for private_key_jwt publishes the new key before signing with it. Identity
// providers cache a client's JWKS (Gatehouse allows five minutes); a key used the moment it is made would
// be refused by a provider that only refreshes on its cache age. The next key waits in these columns,
// published beside the current one, until `idp_signing_next_from`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN idp_signing_next_key_sealed text`.execute(db);
  await sql`ALTER TABLE workspaces ADD COLUMN idp_signing_next_public_jwk text`.execute(db);
  await sql`ALTER TABLE workspaces ADD COLUMN idp_signing_next_from timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces DROP COLUMN idp_signing_next_from`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_signing_next_public_jwk`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_signing_next_key_sealed`.execute(db);
}
