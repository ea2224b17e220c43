import { sql, type Kysely } from 'kysely';

// An account's Activity tab (SPEC §8) reads the events about one target, newest first.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX activity_events_target ON activity_events (target_type, target_id, seq DESC) WHERE target_id IS NOT NULL`.execute(
    db,
  );
}
