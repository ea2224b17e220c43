import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { masterKeyId, newDataKey, unwrapDataKey, wrapDataKey } from '../crypto/keyring.js';
import { deriveKey, open, seal, sealedKeyId, SealError } from '../crypto/seal.js';

/** The configured master key does not open this database's data keys: stop rather than serve garbage. */
export class MasterKeyMismatchError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MasterKeyMismatchError';
  }
}

/**
 * Per-workspace data keys, wrapped by the master key (SPEC §7). Unwrapped keys are cached in memory for
 * the life of the process; the database only ever holds wrapped keys.
 */
export class WorkspaceKeyring {
  readonly masterKeyId: string;
  private readonly unwrapped = new Map<string, Buffer>();
  private readonly active = new Map<string, { id: string; key: Buffer }>();
  private readonly derivedKeys = new Map<string, Buffer>();

  constructor(private readonly masterKey: Buffer) {
    this.masterKeyId = masterKeyId(masterKey);
  }

  /**
   * The workspace's active data key, created on first use (inside the caller's transaction). Data keys are
   * never retired, so once known the active key is remembered and costs no query.
   */
  async activeKey(tx: Kysely<Database>, workspaceId: string): Promise<{ id: string; key: Buffer }> {
    const known = this.active.get(workspaceId);
    if (known) return known;
    const found = await this.findOrCreateActiveKey(tx, workspaceId);
    // A key created in `tx` exists only if `tx` commits: remember it from its next use on, not before.
    if (!tx.isTransaction || !found.created) this.active.set(workspaceId, { id: found.id, key: found.key });
    return found;
  }

  /**
   * The key for the workspace's activity MACs and chain links (derived from a data key, so it survives
   * master key rotation like the vault does), with the data key's id that each event records.
   */
  async activityKey(tx: Kysely<Database>, workspaceId: string): Promise<{ id: string; key: Buffer }> {
    const { id, key } = await this.activeKey(tx, workspaceId);
    return { id, key: this.derived(id, key, 'activity-chain') };
  }

  /** The activity key of data key `workspaceKeyId` (the one an event names), to check the chain. */
  async activityKeyById(db: Kysely<Database>, workspaceId: string, workspaceKeyId: string): Promise<Buffer> {
    return this.derived(workspaceKeyId, await this.dataKey(db, workspaceId, workspaceKeyId), 'activity-chain');
  }

  private derived(workspaceKeyId: string, dataKey: Buffer, purpose: string): Buffer {
    const name = `${workspaceKeyId}:${purpose}`;
    let key = this.derivedKeys.get(name);
    if (!key) {
      key = deriveKey(dataKey, purpose);
      this.derivedKeys.set(name, key);
    }
    return key;
  }

  private async findOrCreateActiveKey(
    tx: Kysely<Database>,
    workspaceId: string,
  ): Promise<{ id: string; key: Buffer; created: boolean }> {
    const existing = await tx
      .selectFrom('workspace_keys')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    if (existing) return { id: existing.id, key: await this.dataKey(tx, workspaceId, existing.id), created: false };

    const created = await tx
      .insertInto('workspace_keys')
      .values({ workspace_id: workspaceId })
      .onConflict((oc) => oc.column('workspace_id').where('retired_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    // Another transaction created it first: use theirs.
    if (!created) return this.findOrCreateActiveKey(tx, workspaceId);
    const key = newDataKey();
    await tx
      .insertInto('workspace_key_wraps')
      .values({
        workspace_key_id: created.id,
        master_key_id: this.masterKeyId,
        wrapped_key: wrapDataKey(this.masterKey, key, workspaceId, created.id),
      })
      .execute();
    this.unwrapped.set(created.id, key);
    return { id: created.id, key, created: true };
  }

  /** A data key by id (the id every sealed value names), unwrapped with this server's master key. */
  async dataKey(db: Kysely<Database>, workspaceId: string, workspaceKeyId: string): Promise<Buffer> {
    const cached = this.unwrapped.get(workspaceKeyId);
    if (cached) return cached;
    const wrap = await db
      .selectFrom('workspace_key_wraps as w')
      .innerJoin('workspace_keys as k', 'k.id', 'w.workspace_key_id')
      .select('w.wrapped_key')
      .where('w.workspace_key_id', '=', workspaceKeyId)
      .where('k.workspace_id', '=', workspaceId)
      .where('w.master_key_id', '=', this.masterKeyId)
      .executeTakeFirst();
    if (!wrap) {
      throw new MasterKeyMismatchError(
        `The master key (id ${this.masterKeyId}) has no wrap of data key ${workspaceKeyId}; run \`gatehouse keys rotate\` with this key as the new one.`,
      );
    }
    const key = unwrapDataKey(this.masterKey, wrap.wrapped_key, workspaceId, workspaceKeyId);
    this.unwrapped.set(workspaceKeyId, key);
    return key;
  }

  /** Seals a value with the workspace's active key, bound to `associatedData`. */
  async seal(tx: Kysely<Database>, workspaceId: string, plaintext: string, associatedData: string): Promise<string> {
    const { id, key } = await this.activeKey(tx, workspaceId);
    return seal(key, id, plaintext, associatedData);
  }

  /** Opens a value sealed by `seal`, with whichever of the workspace's keys it names. */
  async open(db: Kysely<Database>, workspaceId: string, sealed: string, associatedData: string): Promise<string> {
    const key = await this.dataKey(db, workspaceId, sealedKeyId(sealed));
    return open(key, sealed, associatedData);
  }
}

/**
 * Checks at start-up that the master key opens every data key in the database, so a wrong key stops the
 * server with a clear message instead of failing request by request.
 */
export async function checkMasterKey(db: Kysely<Database>, masterKey: Buffer): Promise<void> {
  const id = masterKeyId(masterKey);
  const keys = await db
    .selectFrom('workspace_keys as k')
    .leftJoin('workspace_key_wraps as w', (join) =>
      join.onRef('w.workspace_key_id', '=', 'k.id').on('w.master_key_id', '=', id),
    )
    .select(['k.id', 'k.workspace_id', 'w.wrapped_key'])
    .execute();
  const missing = keys.filter((k) => k.wrapped_key === null);
  if (missing.length > 0) {
    const known = await db.selectFrom('workspace_key_wraps').select('master_key_id').distinct().execute();
    throw new MasterKeyMismatchError(
      `The master key (id ${id}) does not open this database's ${missing.length} data key(s), which were wrapped by master key id(s) ${known
        .map((k) => k.master_key_id)
        .join(', ')}. That master key is needed: without it the vault's passwords and second-factor secrets ` +
        'cannot be read. Start with it as GATEHOUSE_MASTER_KEY.',
    );
  }
  for (const key of keys) {
    try {
      unwrapDataKey(masterKey, key.wrapped_key!, key.workspace_id, key.id);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new MasterKeyMismatchError(
        `Data key ${key.id} does not open with the master key (id ${id}): it was altered.`,
      );
    }
  }
}

/**
 * Master key rotation, step 1: wraps every data key under the new master key too. Servers running with
 * the old key keep working; restart them with the new key, run this again (it adds wraps for keys made
 * meanwhile), then `pruneMasterKeys`. Returns how many wraps were added.
 */
export async function addMasterKey(tx: Kysely<Database>, currentKey: Buffer, newKey: Buffer): Promise<number> {
  await sql`LOCK TABLE workspace_key_wraps IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
  const currentId = masterKeyId(currentKey);
  const newId = masterKeyId(newKey);
  const rows = await tx
    .selectFrom('workspace_keys as k')
    .innerJoin('workspace_key_wraps as w', 'w.workspace_key_id', 'k.id')
    .select(['k.id', 'k.workspace_id', 'w.wrapped_key'])
    .where('w.master_key_id', '=', currentId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('workspace_key_wraps as n')
            .select('n.workspace_key_id')
            .whereRef('n.workspace_key_id', '=', 'k.id')
            .where('n.master_key_id', '=', newId),
        ),
      ),
    )
    .execute();
  for (const row of rows) {
    const dataKey = unwrapDataKey(currentKey, row.wrapped_key, row.workspace_id, row.id);
    await tx
      .insertInto('workspace_key_wraps')
      .values({
        workspace_key_id: row.id,
        master_key_id: newId,
        wrapped_key: wrapDataKey(newKey, dataKey, row.workspace_id, row.id),
      })
      .execute();
  }
  return rows.length;
}

/** Rotation, last step: removes the wraps of every other master key, once the given one opens every data key. */
export async function pruneMasterKeys(tx: Kysely<Database>, keepKey: Buffer): Promise<number> {
  // New data keys wait until this is done, so none is left wrapped only by a key being removed.
  await sql`LOCK TABLE workspace_keys IN SHARE ROW EXCLUSIVE MODE`.execute(tx);
  await checkMasterKey(tx, keepKey);
  const result = await tx
    .deleteFrom('workspace_key_wraps')
    .where('master_key_id', '<>', masterKeyId(keepKey))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
