import { sql, type Kysely } from 'kysely';

// Issue 12, SPEC §8a: **Review access** for a partner. A review is a snapshot of every guest of the partner
// and every account grant reaching it, each decided Keep or Remove, kept afterwards with who decided what.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE access_reviews (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      partner_id uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      started_by uuid REFERENCES users(id),
      started_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CONSTRAINT access_reviews_closed_when CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    )`.execute(db);
  // One open review per partner: two host admins starting one at once get the same review, not two.
  await sql`CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews (partner_id) WHERE status = 'open'`.execute(
    db,
  );
  await sql`CREATE INDEX access_reviews_partner ON access_reviews (partner_id, started_at DESC)`.execute(db);

  // What was under review, as it stood when the review started (the grant itself may end later: grant_id
  // keeps no foreign key, so the record outlives it).
  await sql`
    CREATE TABLE access_review_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      review_id uuid NOT NULL REFERENCES access_reviews(id) ON DELETE CASCADE,
      position integer NOT NULL,
      kind text NOT NULL CHECK (kind IN ('guest', 'grant')),
      user_id uuid REFERENCES users(id),
      account_id uuid REFERENCES accounts(id),
      grant_id uuid,
      role text NOT NULL,
      granted_by uuid REFERENCES users(id),
      last_used_at timestamptz,
      decision text CHECK (decision IN ('keep', 'remove')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      ended_by_item_id uuid REFERENCES access_review_items(id),
      CONSTRAINT access_review_items_decided CHECK ((decision IS NULL) = (decided_at IS NULL)),
      CONSTRAINT access_review_items_subject CHECK (
        (kind = 'guest' AND user_id IS NOT NULL AND account_id IS NULL)
        OR (kind = 'grant' AND account_id IS NOT NULL AND grant_id IS NOT NULL)
      )
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX access_review_items_order ON access_review_items (review_id, position)`.execute(db);

  // The partner's setting: a review every 30, 90 or 180 days; no row means none is scheduled.
  await sql`
    CREATE TABLE access_review_schedules (
      partner_id uuid PRIMARY KEY REFERENCES partners(id) ON DELETE CASCADE,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      interval_days integer NOT NULL CHECK (interval_days IN (30, 90, 180)),
      due_at timestamptz NOT NULL,
      reminded_at timestamptz,
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX access_review_schedules_due ON access_review_schedules (due_at) WHERE reminded_at IS NULL`.execute(
    db,
  );
  // A guest's last use is their latest session: found per person without scanning every session. Not on
  // last_seen_at, which a request touches: an index on it would make every touch a non-HOT update.
  await sql`CREATE INDEX sessions_user ON sessions (user_id)`.execute(db);
}
