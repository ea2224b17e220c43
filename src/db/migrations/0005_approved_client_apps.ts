import { sql, type Kysely } from 'kysely';

// SPEC §7a: the client apps a workspace approves. The browser extension is approved from the start; the
// command line waits for an admin. The web app itself (devices of kind `browser`) needs no approval.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE workspaces
      ADD COLUMN approved_client_apps text[] NOT NULL DEFAULT '{extension}'
        CHECK (approved_client_apps <@ ARRAY['extension', 'cli']::text[])`.execute(db);
}
