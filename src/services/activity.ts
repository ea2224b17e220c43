import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../crypto/tokens.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import type { Database } from '../db/schema.js';
import { afterCommit, databaseOf } from '../db/unit-of-work.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface NewActivityEvent {
  workspaceId: string;
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  context: RequestContext;
  /** Never put a secret here: details are shown to admins and exported. */
  details?: Record<string, unknown>;
}

/** What an event records: its MAC covers exactly these, so none can change unseen. */
export interface RecordedFields {
  id: string;
  workspaceId: string;
  occurredAt: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  partnerId: string | null;
  accountId: string | null;
}

/** The fields of an event recorded before migration 0010, hashed with the link to the one before it. */
export interface LegacyHashedFields extends Omit<RecordedFields, 'id' | 'partnerId' | 'accountId'> {
  prevHash: string;
}

/** Stable JSON (sorted keys) so the same event always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The unkeyed hash of events recorded before migration 0010 (they keep it; verification checks it). */
export function legacyEventHash(fields: LegacyHashedFields): string {
  return sha256Hex(canonical(fields));
}

/** The MAC an event carries from the moment it is inserted. */
export function eventMac(key: Buffer, fields: RecordedFields): string {
  return createHmac('sha256', key).update(canonical(fields)).digest('hex');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidIn = (value: unknown): string | null => (typeof value === 'string' && UUID.test(value) ? value : null);

/** The keys an app's database records events with (its WorkspaceKeyring). */
export interface ActivityKeys {
  activityKey(tx: Kysely<Database>, workspaceId: string): Promise<{ id: string; key: Buffer }>;
}

const keysOf = new WeakMap<Kysely<Database>, ActivityKeys>();

/** Tells `recordEvent` which keys to MAC the events written through `db` (and its transactions) with. */
export function recordActivityWith(db: Kysely<Database>, keys: ActivityKeys): void {
  keysOf.set(db, keys);
}

/** An event as an observer sees it, once the transaction that wrote it has committed. */
export interface ObservedEvent {
  action: string;
  details: Record<string, unknown>;
}

/** Told of the events of each committed transaction, together (a rolled-back one tells nothing). */
export type ActivityObserver = (transaction: ObservedEvent[]) => void;

const observers = new AsyncLocalStorage<ActivityObserver>();

/**
 * Runs `work` with `observer` told of every event recorded within it (the metrics plugin wraps each
 * request). It is told after commit (`afterCommit`): an event whose transaction rolls back never happened.
 */
export function observeActivity<T>(observer: ActivityObserver, work: () => T): T {
  return observers.run(observer, work);
}

/** The events observed in each open transaction, handed to the observer together once it commits. */
const observedIn = new WeakMap<Kysely<Database>, ObservedEvent[]>();

function observeOnCommit(tx: Kysely<Database>, observer: ActivityObserver, event: ObservedEvent): void {
  // Outside a transaction the insert has committed on its own: the event is a transaction by itself.
  if (!tx.isTransaction) {
    observer([event]);
    return;
  }
  const events = observedIn.get(tx);
  if (events) {
    events.push(event);
    return;
  }
  const transaction = [event];
  observedIn.set(tx, transaction);
  afterCommit(tx, () => observer(transaction));
}

/**
 * Records an event inside the caller's transaction, so the event and the change it records commit
 * together. One insert and no lock: the event carries a MAC under the workspace's activity key, and the
 * chaining step (activity-chain.ts) links it into the workspace's chain once it has committed.
 */
export async function recordEvent(tx: Kysely<Database>, event: NewActivityEvent): Promise<void> {
  const keys = keysOf.get(databaseOf(tx));
  if (!keys) throw new Error('recordEvent: no activity keys for this database (call recordActivityWith at start-up)');
  const { id: keyId, key } = await keys.activityKey(tx, event.workspaceId);
  const fields: RecordedFields = {
    id: randomUUID(),
    workspaceId: event.workspaceId,
    occurredAt: new Date().toISOString(),
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    ip: event.context.ip,
    userAgent: event.context.userAgent,
    details: event.details ?? {},
    partnerId: event.targetType === 'partner' ? (event.targetId ?? null) : uuidIn(event.details?.partnerId),
    accountId: event.targetType === 'account' ? (event.targetId ?? null) : uuidIn(event.details?.accountId),
  };
  await tx
    .insertInto('activity_events')
    .values({
      id: fields.id,
      workspace_id: fields.workspaceId,
      occurred_at: fields.occurredAt,
      actor_id: fields.actorId,
      action: fields.action,
      target_type: fields.targetType,
      target_id: fields.targetId,
      ip: fields.ip,
      user_agent: fields.userAgent,
      details: JSON.stringify(fields.details),
      partner_id: fields.partnerId,
      account_id: fields.accountId,
      mac: eventMac(key, fields),
      key_id: keyId,
    })
    .execute();
  afterCommit(tx, 'activity-recorded');
  const observer = observers.getStore();
  if (observer) observeOnCommit(tx, observer, { action: fields.action, details: fields.details });
}

/** The common case: the signed-in actor did something to one user of their workspace. */
export function recordUserEvent(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  action: string,
  userId: string,
  details: Record<string, unknown>,
): Promise<void> {
  return recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action,
    targetType: 'user',
    targetId: userId,
    context,
    details,
  });
}

/** The signed-in actor did something to, or with, one account. */
export function recordAccountEvent(
  tx: Kysely<Database>,
  actor: Actor,
  context: RequestContext,
  action: string,
  accountId: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  return recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action,
    targetType: 'account',
    targetId: accountId,
    context,
    details,
  });
}
