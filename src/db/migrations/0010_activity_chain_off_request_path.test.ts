import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitOfWork } from '../unit-of-work.js';
import { openDatabase, type DatabaseHandle } from '../connect.js';
import { migrateTo, migrateToLatest } from '../migrator.js';
import type { Database } from '../schema.js';
import { GENESIS_HASH, legacyEventHash, recordActivityWith, recordEvent } from '../../services/activity.js';
import { chainPendingEvents, verifyActivityChain } from '../../services/activity-chain.js';
import { WorkspaceKeyring } from '../../services/keyring.js';

/**
 * An installation upgraded to migration 0010: the events it recorded with the unkeyed chain stay the
 * chain's first positions, new events are MACed and linked after them, and the whole verifies; an edit
 * of an old event is still caught.
 */
describe('migration 0010 on a log recorded before it', () => {
  let dataDir: string;
  let database: DatabaseHandle;
  let db: Kysely<Database>;
  let workspaceId: string;
  const keyring = new WorkspaceKeyring(randomBytes(32));
  const context = { ip: '192.0.2.1', userAgent: 'test' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-0010-'));
    database = await openDatabase({ dataDir });
    db = database.db;
    await migrateTo(db, '0009_oidc_identities');
    ({ id: workspaceId } = await db
      .insertInto('workspaces')
      .values({ slug: 'old', name: 'Old', mode: 'local' })
      .returning('id')
      .executeTakeFirstOrThrow());
    // Three events as the code before 0010 wrote them: each hash covers the event and the previous hash.
    let prevHash = GENESIS_HASH;
    for (const action of ['workspace.created', 'auth.signed_in', 'auth.signed_out']) {
      const fields = {
        workspaceId,
        occurredAt: new Date().toISOString(),
        actorId: null,
        action,
        targetType: null,
        targetId: null,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { step: action },
        prevHash,
      };
      const hash = legacyEventHash(fields);
      await sql`
        INSERT INTO activity_events (workspace_id, occurred_at, action, ip, user_agent, details, prev_hash, hash)
        VALUES (${workspaceId}, ${fields.occurredAt}, ${action}, ${context.ip}, ${context.userAgent},
                ${JSON.stringify(fields.details)}, ${prevHash}, ${hash})`.execute(db);
      prevHash = hash;
    }
    await migrateToLatest(db);
    recordActivityWith(db, keyring);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the old events as the first positions and links new ones after them', async () => {
    const unit = createUnitOfWork(db);
    await unit.run((tx) => recordEvent(tx, { workspaceId, actorId: null, action: 'auth.signed_in', context }));
    await unit.run((tx) => recordEvent(tx, { workspaceId, actorId: null, action: 'auth.signed_out', context }));
    expect(await chainPendingEvents(unit, keyring)).toBe(2);

    const rows = await db
      .selectFrom('activity_events')
      .select(['action', 'chain_position', 'mac'])
      .orderBy('seq')
      .execute();
    expect(rows.map((row) => [row.chain_position, row.mac === null])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['4', false],
      ['5', false],
    ]);
    expect(await verifyActivityChain(db, keyring, workspaceId)).toMatchObject({
      chained: 5,
      pending: 0,
      problem: null,
    });
  });

  it('still catches an edit of an event recorded before the upgrade', async () => {
    await sql`ALTER TABLE activity_events DISABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
    await sql`UPDATE activity_events SET ip = '198.51.100.1' WHERE chain_position = 2`.execute(db);
    await sql`ALTER TABLE activity_events ENABLE TRIGGER activity_events_no_update_or_delete`.execute(db);
    const { problem } = await verifyActivityChain(db, keyring, workspaceId);
    expect(problem).toMatchObject({ kind: 'edited', position: '2', action: 'auth.signed_in' });
  });
});
