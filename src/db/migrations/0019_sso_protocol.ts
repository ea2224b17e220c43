import { sql, type Kysely } from 'kysely';

// Issue 10, SPEC §2b: which protocol members of an `idp` workspace sign in with. A workspace may keep both
// the OpenID Connect settings and the SAML metadata (to move from one to the other), but exactly one is in
// use at a time: the waiting page and the sign-in page start that one, and the other is refused.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces ADD COLUMN idp_protocol text NOT NULL DEFAULT 'oidc'`.execute(db);
  await sql`ALTER TABLE workspaces ADD CONSTRAINT workspaces_idp_protocol_check
    CHECK (idp_protocol IN ('oidc', 'saml'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE workspaces DROP CONSTRAINT workspaces_idp_protocol_check`.execute(db);
  await sql`ALTER TABLE workspaces DROP COLUMN idp_protocol`.execute(db);
}
