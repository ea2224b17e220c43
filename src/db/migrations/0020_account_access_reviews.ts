import { sql, type Kysely } from 'kysely';

// SPEC §8a: **Review access** for an account, by its owners. An access review is of a partner (0012) or of
// an account: exactly one of the two is set. An account review's items are the account's grants (shares
// with members, partner shares, onward shares), each with its **Access until** as it stood at the start;
// a partner share's item names the partner it was given to.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE access_reviews ALTER COLUMN partner_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE access_reviews ADD COLUMN account_id uuid REFERENCES accounts(id) ON DELETE CASCADE`.execute(
    db,
  );
  await sql`ALTER TABLE access_reviews ADD CONSTRAINT access_reviews_subject
    CHECK ((partner_id IS NULL) <> (account_id IS NULL))`.execute(db);
  // One open review per account: two owners starting one at once get the same review, not two.
  await sql`CREATE UNIQUE INDEX access_reviews_one_open_account ON access_reviews (account_id)
    WHERE status = 'open' AND account_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX access_reviews_account ON access_reviews (account_id, started_at DESC)
    WHERE account_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE access_review_items ADD COLUMN partner_id uuid REFERENCES partners(id)`.execute(db);
  await sql`ALTER TABLE access_review_items ADD COLUMN access_until timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE access_review_items DROP COLUMN access_until`.execute(db);
  await sql`ALTER TABLE access_review_items DROP COLUMN partner_id`.execute(db);
  await sql`DELETE FROM access_reviews WHERE account_id IS NOT NULL`.execute(db);
  await sql`DROP INDEX access_reviews_account`.execute(db);
  await sql`DROP INDEX access_reviews_one_open_account`.execute(db);
  await sql`ALTER TABLE access_reviews DROP CONSTRAINT access_reviews_subject`.execute(db);
  await sql`ALTER TABLE access_reviews DROP COLUMN account_id`.execute(db);
  await sql`ALTER TABLE access_reviews ALTER COLUMN partner_id SET NOT NULL`.execute(db);
}
