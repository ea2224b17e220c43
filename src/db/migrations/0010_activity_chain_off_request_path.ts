import { sql, type Kysely } from 'kysely';

// Issue 15: recording an event no longer extends the hash chain inside the request's transaction (which
// took a workspace-wide lock until commit, so every audited write in a workspace queued behind the
// others). An event is inserted with a MAC under a key derived from the workspace data key (so an edit
// made before it is chained is still detected); a chaining step links committed events afterwards, in
// its own order (`chain_position`), each link a MAC over the previous link, its position, its `seq` and
// the event's MAC. See docs/security.md, "The activity log's tamper evidence".
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE activity_events
      ADD COLUMN mac text,
      ADD COLUMN key_id uuid REFERENCES workspace_keys(id),
      ADD COLUMN chain_position bigint,
      ADD COLUMN partner_id uuid,
      ADD COLUMN account_id uuid,
      ALTER COLUMN prev_hash DROP NOT NULL,
      ALTER COLUMN hash DROP NOT NULL`.execute(db);
  // Events recorded before this migration keep their unkeyed chain (hash, prev_hash, no MAC) as the chain's
  // first positions, in their order; the first keyed link covers the last of them.
  await sql`ALTER TABLE activity_events DISABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
  await sql`
    UPDATE activity_events AS e SET chain_position = ordered.position
      FROM (SELECT seq, row_number() OVER (PARTITION BY workspace_id ORDER BY seq) AS position
              FROM activity_events) AS ordered
     WHERE e.seq = ordered.seq`.execute(db);
  await sql`ALTER TABLE activity_events ENABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
  await sql`
    CREATE UNIQUE INDEX activity_events_chain ON activity_events (workspace_id, chain_position)
      WHERE chain_position IS NOT NULL`.execute(db);
  await sql`
    CREATE INDEX activity_events_unchained ON activity_events (workspace_id, seq)
      WHERE chain_position IS NULL`.execute(db);

  // The Activity page's filters and scopes (SPEC §8): by partner, by account, by person, newest first.
  // (No foreign keys: an event outlives what it names.) Earlier events get theirs from their target.
  await sql`ALTER TABLE activity_events DISABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
  await sql`
    UPDATE activity_events SET
      partner_id = CASE WHEN target_type = 'partner' THEN target_id
                        WHEN details->>'partnerId' ~ '^[0-9a-f-]{36}$' THEN (details->>'partnerId')::uuid END,
      account_id = CASE WHEN target_type = 'account' THEN target_id
                        WHEN details->>'accountId' ~ '^[0-9a-f-]{36}$' THEN (details->>'accountId')::uuid END`.execute(
    db,
  );
  await sql`ALTER TABLE activity_events ENABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
  await sql`
    CREATE INDEX activity_events_partner ON activity_events (workspace_id, partner_id, seq DESC)
      WHERE partner_id IS NOT NULL`.execute(db);
  await sql`
    CREATE INDEX activity_events_account ON activity_events (workspace_id, account_id, seq DESC)
      WHERE account_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX activity_events_actor ON activity_events (workspace_id, actor_id, seq DESC)`.execute(db);

  // The Activity page checks the chain from where its last check ended (the checkpoint), not from the start.
  await sql`
    CREATE TABLE activity_chain_checkpoints (
      workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
      position bigint NOT NULL,
      hash text NOT NULL,
      checked_at timestamptz NOT NULL
    )`.execute(db);

  // Still append-only: the one change allowed is linking a pending event into the chain, never a change to
  // what it records.
  await sql`
    CREATE OR REPLACE FUNCTION activity_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE'
        AND OLD.chain_position IS NULL
        AND NEW.chain_position IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
        AND (NEW.seq, NEW.id, NEW.workspace_id, NEW.occurred_at, NEW.actor_id, NEW.action, NEW.target_type,
             NEW.target_id, NEW.ip, NEW.user_agent, NEW.details, NEW.mac, NEW.key_id, NEW.partner_id, NEW.account_id)
          IS NOT DISTINCT FROM
            (OLD.seq, OLD.id, OLD.workspace_id, OLD.occurred_at, OLD.actor_id, OLD.action, OLD.target_type,
             OLD.target_id, OLD.ip, OLD.user_agent, OLD.details, OLD.mac, OLD.key_id, OLD.partner_id, OLD.account_id)
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'activity_events is append-only';
    END $$`.execute(db);
}
