import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: the values (in the ID token's amr, or its acr) that count as the identity provider
// having done a second factor. Null keeps Gatehouse's default list of RFC 8176 amr values.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN idp_mfa_values text[]`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces DROP COLUMN idp_mfa_values`.execute(db);
}
