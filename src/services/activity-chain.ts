import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Actor } from '../domain/actor.js';
import { forbidden } from '../domain/errors.js';
import { activityPolicy } from '../domain/policies/activity.js';
import { eventMac, GENESIS_HASH, legacyEventHash, type RecordedFields } from './activity.js';
import type { WorkspaceKeyring } from './keyring.js';

/**
 * The activity log's hash chain, built after commit (SPEC §8, issue 15). `recordEvent` only inserts an
 * event with its MAC; this step links committed events, in the order it finds them, each link a MAC
 * over the previous link, the event's position, its `seq` and its MAC. One chaining step per workspace
 * at a time (a transaction-scoped advisory lock that only chaining steps take, never a request), so
 * requests never wait for the chain. docs/security.md explains what this does and does not reveal.
 */

/** A link of the chain: binds an event (by its MAC and `seq`) to its place and to everything before it. */
export function chainLink(key: Buffer, prevHash: string, position: bigint, seq: string, mac: string | null): string {
  return createHmac('sha256', key)
    .update(`gatehouse:activity-link:v1\n${prevHash}\n${position}\n${seq}\n${mac ?? ''}`)
    .digest('hex');
}

const lockName = (workspaceId: string) => `activity-chain:${workspaceId}`;

/** The key of an event's link: its own key, or (an event that lost its MAC) the workspace's active one. */
async function linkKey(db: Kysely<Database>, keyring: WorkspaceKeyring, workspaceId: string, keyId: string | null) {
  return keyId ? keyring.activityKeyById(db, workspaceId, keyId) : (await keyring.activityKey(db, workspaceId)).key;
}

/**
 * Links up to `batchSize` committed, unlinked events of one workspace, oldest `seq` first. Returns how
 * many it linked: 0 also when another chaining step holds the workspace (it will link them).
 */
async function chainBatch(
  unit: UnitOfWork,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  batchSize: number,
): Promise<number> {
  return unit.run(async (tx) => {
    const { rows } = await sql<{ locked: boolean }>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName(workspaceId)}, 0)) AS locked`.execute(tx);
    if (!rows[0]?.locked) return 0;
    const head = await tx
      .selectFrom('activity_events')
      .select(['chain_position', 'hash'])
      .where('workspace_id', '=', workspaceId)
      .where('chain_position', 'is not', null)
      .orderBy('chain_position', 'desc')
      .limit(1)
      .executeTakeFirst();
    const pending = await tx
      .selectFrom('activity_events')
      .select(['seq', 'mac', 'key_id'])
      .where('workspace_id', '=', workspaceId)
      .where('chain_position', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (pending.length === 0) return 0;

    let position = BigInt(head?.chain_position ?? 0);
    let prevHash = head?.hash ?? GENESIS_HASH;
    const seqs: string[] = [];
    const positions: string[] = [];
    const prevHashes: string[] = [];
    const hashes: string[] = [];
    for (const event of pending) {
      position += 1n;
      const hash = chainLink(
        await linkKey(tx, keyring, workspaceId, event.key_id),
        prevHash,
        position,
        event.seq,
        event.mac,
      );
      seqs.push(event.seq);
      positions.push(position.toString());
      prevHashes.push(prevHash);
      hashes.push(hash);
      prevHash = hash;
    }
    await sql`
      UPDATE activity_events AS e
         SET chain_position = v.position, prev_hash = v.prev_hash, hash = v.hash
        FROM unnest(${seqs}::bigint[], ${positions}::bigint[], ${prevHashes}::text[], ${hashes}::text[])
             AS v(seq, position, prev_hash, hash)
       WHERE e.seq = v.seq`.execute(tx);
    return pending.length;
  });
}

/** Links every committed, unlinked event (of one workspace, or of all). Returns how many it linked. */
export async function chainPendingEvents(
  unit: UnitOfWork,
  keyring: WorkspaceKeyring,
  options: { workspaceId?: string; batchSize?: number } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  const workspaceIds = options.workspaceId
    ? [options.workspaceId]
    : (
        await unit.db
          .selectFrom('activity_events')
          .select('workspace_id')
          .distinct()
          .where('chain_position', 'is', null)
          .execute()
      ).map((row) => row.workspace_id);
  let linked = 0;
  for (const workspaceId of workspaceIds) {
    for (;;) {
      const count = await chainBatch(unit, keyring, workspaceId, batchSize);
      linked += count;
      if (count < batchSize) break;
    }
  }
  return linked;
}

export type ChainProblemKind = 'edited' | 'missing' | 'moved' | 'unsigned';

export interface ChainProblem {
  kind: ChainProblemKind;
  eventId: string;
  seq: string;
  position: string | null;
  occurredAt: string;
  action: string;
  /** The problem in words, naming the event. */
  message: string;
}

export interface ChainReport {
  workspaceId: string;
  /** Events checked in the chain, and events committed but not linked yet (checked by their MAC). */
  chained: number;
  pending: number;
  /** The last link checked: keep it outside the database to detect a later truncation (`--expect-head`). */
  head: { position: string; hash: string } | null;
  /** The first problem found (the walk stops there), or null when everything verifies. */
  problem: ChainProblem | null;
}

interface EventRow {
  seq: string;
  id: string;
  workspace_id: string;
  occurred_at: Date;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: unknown;
  partner_id: string | null;
  account_id: string | null;
  mac: string | null;
  key_id: string | null;
  chain_position: string | null;
  prev_hash: string | null;
  hash: string | null;
}

function recordedFields(row: EventRow): RecordedFields {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    occurredAt: row.occurred_at.toISOString(),
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: (row.details ?? {}) as Record<string, unknown>,
    partnerId: row.partner_id,
    accountId: row.account_id,
  };
}

const describe = (row: EventRow) =>
  `event ${row.id} (${row.action} at ${row.occurred_at.toISOString()}, seq ${row.seq}${
    row.chain_position ? `, chain position ${row.chain_position}` : ', not linked yet'
  })`;

function problem(kind: ChainProblemKind, row: EventRow, message: string): ChainProblem {
  return {
    kind,
    eventId: row.id,
    seq: row.seq,
    position: row.chain_position,
    occurredAt: row.occurred_at.toISOString(),
    action: row.action,
    message,
  };
}

const columns = [
  'seq',
  'id',
  'workspace_id',
  'occurred_at',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'ip',
  'user_agent',
  'details',
  'partner_id',
  'account_id',
  'mac',
  'key_id',
  'chain_position',
  'prev_hash',
  'hash',
] as const;

/**
 * Walks a workspace's chain from its first link, then checks the MAC of each event not linked yet.
 * Stops at the first problem: an event whose recorded fields no longer match its MAC (edited), a gap in
 * the positions (deleted), a link that does not follow from the one before (moved, reordered or
 * relinked), or an event without a MAC where every event since migration 0010 has one.
 */
export async function verifyActivityChain(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  options: {
    batchSize?: number;
    /** Start after this link (a checkpoint an earlier walk verified) instead of at the chain's start. */
    after?: { position: string; hash: string; keyed: boolean };
  } = {},
): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 5000;
  const report: ChainReport = { workspaceId, chained: 0, pending: 0, head: null, problem: null };
  const keys = new Map<string, Buffer>();
  const keyFor = async (keyId: string | null) => {
    if (!keyId) return (await keyring.activityKey(db, workspaceId)).key;
    let key = keys.get(keyId);
    if (!key) keys.set(keyId, (key = await keyring.activityKeyById(db, workspaceId, keyId)));
    return key;
  };
  const macMatches = async (row: EventRow) =>
    row.mac !== null && eventMac(await keyFor(row.key_id), recordedFields(row)) === row.mac;

  let position = BigInt(options.after?.position ?? 0);
  let prevHash = options.after?.hash ?? GENESIS_HASH;
  let keyed = options.after?.keyed ?? false;
  for (;;) {
    const rows = (await db
      .selectFrom('activity_events')
      .select(columns)
      .where('workspace_id', '=', workspaceId)
      .where('chain_position', '>', position.toString())
      .orderBy('chain_position')
      .limit(batchSize)
      .execute()) as EventRow[];
    for (const row of rows) {
      const at = BigInt(row.chain_position!);
      if (at !== position + 1n) {
        const gap = at - position - 1n;
        report.problem = problem(
          'missing',
          row,
          `${gap === 1n ? 'The event' : `${gap} events`} before ${describe(row)} ${gap === 1n ? 'is' : 'are'} missing from the chain (deleted): positions ${position + 1n}${gap === 1n ? '' : `–${at - 1n}`}.`,
        );
        return report;
      }
      if (row.mac === null) {
        // Events recorded before migration 0010 have no MAC and an unkeyed hash; after the first keyed
        // event, an event without a MAC has had it removed.
        if (keyed) {
          report.problem = problem('unsigned', row, `The MAC of ${describe(row)} was removed.`);
          return report;
        }
        const fields = recordedFields(row);
        const { id: _id, partnerId: _partnerId, accountId: _accountId, ...legacy } = fields;
        if (row.prev_hash !== prevHash || legacyEventHash({ ...legacy, prevHash }) !== row.hash) {
          report.problem = problem(
            row.prev_hash === prevHash ? 'edited' : 'moved',
            row,
            row.prev_hash === prevHash
              ? `${describe(row)} was edited: what it records no longer matches its hash.`
              : `${describe(row)} does not follow the event before it in the chain (moved, reordered or relinked).`,
          );
          return report;
        }
      } else {
        keyed = true;
        if (!(await macMatches(row))) {
          report.problem = problem(
            'edited',
            row,
            `${describe(row)} was edited: what it records no longer matches its MAC.`,
          );
          return report;
        }
        if (
          row.prev_hash !== prevHash ||
          chainLink(await keyFor(row.key_id), prevHash, at, row.seq, row.mac) !== row.hash
        ) {
          report.problem = problem(
            'moved',
            row,
            `${describe(row)} does not follow the event before it in the chain (moved, reordered or relinked).`,
          );
          return report;
        }
      }
      position = at;
      prevHash = row.hash!;
      report.chained += 1;
      report.head = { position: at.toString(), hash: row.hash! };
    }
    if (rows.length < batchSize) break;
  }

  let afterSeq = '0';
  for (;;) {
    const rows = (await db
      .selectFrom('activity_events')
      .select(columns)
      .where('workspace_id', '=', workspaceId)
      .where('chain_position', 'is', null)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute()) as EventRow[];
    for (const row of rows) {
      if (row.mac === null) {
        report.problem = problem('unsigned', row, `${describe(row)} has no MAC: it was removed.`);
        return report;
      }
      if (!(await macMatches(row))) {
        report.problem = problem(
          'edited',
          row,
          `${describe(row)} was edited: what it records no longer matches its MAC.`,
        );
        return report;
      }
      report.pending += 1;
      afterSeq = row.seq;
    }
    if (rows.length < batchSize) break;
  }
  return report;
}

interface ChainerLogger {
  warn(details: object, message: string): void;
}

/**
 * Links new events shortly after they commit: woken after each commit that recorded one (the
 * `activity-recorded` notice), and polling for what other server instances committed or a crash left.
 * Created with the app, started by the server after listen (tests run `chainPendingEvents` themselves).
 */
export class ActivityChainer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;

  constructor(
    private readonly unit: UnitOfWork,
    private readonly keyring: WorkspaceKeyring,
    private readonly logger: ChainerLogger,
    private readonly options: { intervalMs?: number; wakeDelayMs?: number } = {},
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.options.intervalMs ?? 2000);
    this.timer.unref();
    this.wake();
  }

  /** Links what has committed, soon (a few milliseconds later, so a burst of commits is one batch). */
  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setTimeout(resolve, this.options.wakeDelayMs ?? 20))
      .then(() => chainPendingEvents(this.unit, this.keyring))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn({ err: error }, 'Linking activity events failed; retrying at the next poll'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again && this.started) {
          this.again = false;
          this.wake();
        }
      });
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.timer);
    while (this.running) await this.running;
  }
}

/**
 * Compares a head kept outside the database (printed by an earlier verification) with the chain now: a
 * chain cut back to before it, or rewritten from a point before it, no longer has that link there.
 */
export async function checkKeptHead(
  db: Kysely<Database>,
  workspaceId: string,
  kept: { position: string; hash: string },
): Promise<string | null> {
  const row = await db
    .selectFrom('activity_events')
    .select('hash')
    .where('workspace_id', '=', workspaceId)
    .where('chain_position', '=', kept.position)
    .executeTakeFirst();
  if (!row)
    return `The chain no longer reaches position ${kept.position}: events at and before the head you kept were deleted.`;
  if (row.hash !== kept.hash)
    return `The link at position ${kept.position} is not the one you kept: the chain was rewritten.`;
  return null;
}

export interface ChainState {
  /** Whether everything checked so far verifies. */
  verifies: boolean;
  /** Linked events verified, up to this position, and when; events not linked yet (checked by their MAC). */
  verifiedThrough: string | null;
  checkedAt: string;
  pending: number;
  problem: ChainProblem | null;
}

/**
 * The Activity page's tamper check (SPEC §8): verifies only what was linked since the last check (from the
 * workspace's checkpoint), plus the events not linked yet, and moves the checkpoint on. A check costs what
 * was added since the one before, not a walk of the whole log; `gatehouse activity verify` walks it all.
 */
export async function checkChainSinceCheckpoint(
  unit: UnitOfWork,
  keyring: WorkspaceKeyring,
  actor: Actor,
): Promise<ChainState> {
  if (!activityPolicy.checkChain(actor)) {
    throw forbidden('Only the workspace owner and admins can check the whole activity log.');
  }
  const { workspaceId } = actor;
  const checkpoint = await unit.db
    .selectFrom('activity_chain_checkpoints as c')
    .leftJoin('activity_events as e', (join) =>
      join.onRef('e.workspace_id', '=', 'c.workspace_id').onRef('e.chain_position', '=', 'c.position'),
    )
    .select(['c.position', 'c.hash', 'e.hash as current_hash', 'e.mac'])
    .where('c.workspace_id', '=', workspaceId)
    .executeTakeFirst();
  // A checkpoint whose link changed since (or vanished) is a problem in itself: walk from the start.
  const after =
    checkpoint && checkpoint.current_hash === checkpoint.hash
      ? { position: checkpoint.position, hash: checkpoint.hash, keyed: checkpoint.mac !== null }
      : undefined;
  const report = await verifyActivityChain(unit.db, keyring, workspaceId, after ? { after } : {});
  const checkedAt = new Date().toISOString();
  const head = report.head ?? (after ? { position: after.position, hash: after.hash } : null);
  if (!report.problem && head) {
    await unit.run((tx) =>
      tx
        .insertInto('activity_chain_checkpoints')
        .values({ workspace_id: workspaceId, position: head.position, hash: head.hash, checked_at: checkedAt })
        .onConflict((oc) =>
          oc.column('workspace_id').doUpdateSet({ position: head.position, hash: head.hash, checked_at: checkedAt }),
        )
        .execute(),
    );
  }
  return {
    verifies: report.problem === null,
    verifiedThrough: report.problem ? null : (head?.position ?? null),
    checkedAt,
    pending: report.pending,
    problem: report.problem,
  };
}
