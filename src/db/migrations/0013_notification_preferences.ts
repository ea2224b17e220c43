import { sql, type Kysely } from 'kysely';

// Issue 12, SPEC §8a: each person can turn off the email notifications that are not about security. A
// row exists only once a person has changed a switch; no row means the notification is on (the default).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE notification_preferences (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL,
      enabled boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, kind)
    )`.execute(db);
}
