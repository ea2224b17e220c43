import { sql, type Kysely } from 'kysely';

// Issue 12, SPEC §8a: a share may carry **Access until** and a guest **Guest access ends on**. The access
// check honours the moment itself; a sweeper then ends the grant or the guest as a removal does. The
// warned-at columns make the seven-day warning mail go out once per date (a new date clears them).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE grants
      ADD COLUMN expires_at timestamptz,
      ADD COLUMN expiry_warned_at timestamptz`.execute(db);
  await sql`CREATE INDEX grants_expiring ON grants (expires_at) WHERE expires_at IS NOT NULL`.execute(db);
  await sql`
    ALTER TABLE users
      ADD COLUMN access_ends_at timestamptz,
      ADD COLUMN access_end_warned_at timestamptz`.execute(db);
  await sql`CREATE INDEX users_access_ending ON users (access_ends_at) WHERE access_ends_at IS NOT NULL`.execute(db);
}
