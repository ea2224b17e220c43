import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, OutboxState } from '../db/schema.js';
import { afterCommit } from '../db/unit-of-work.js';
import { deriveKey, open, seal, sealedKeyId } from '../crypto/seal.js';

/**
 * The durable mail outbox. A message is written in the same transaction as the change that causes it
 * (so it is sent if and only if that change commits) and sent later by the OutboxWorker. Its body may
 * hold a temporary password, so it is sealed and wiped once delivered: with the workspace's data key
 * (so a master key rotation keeps queued mail readable), or, for mail of no workspace, with a key
 * derived from the master key.
 */

export const OUTBOX_KEY_ID = 'outbox-1';

/**
 * Seals and opens a workspace's values with its data keys. The services' WorkspaceKeyring is one; the app
 * hands its keyring to mail, so each app keeps a single cache of unwrapped data keys.
 */
export interface WorkspaceSealer {
  seal(tx: Kysely<Database>, workspaceId: string, plaintext: string, associatedData: string): Promise<string>;
  open(db: Kysely<Database>, workspaceId: string, sealed: string, associatedData: string): Promise<string>;
}

/** What the outbox seals bodies with: the workspace keyring, and the master key for mail of no workspace. */
export interface MailKeys {
  masterKey: Buffer;
  keyring: WorkspaceSealer;
}

export function outboxKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'outbox');
}

/** The associated data binding a sealed body to its row: moved to another row, it fails to open. */
export function outboxAssociatedData(id: string): string {
  return `outbox:${id}`;
}

export interface MailBody {
  text: string;
  html: string;
}

export interface OutgoingMail extends MailBody {
  workspaceId: string | null;
  invitationId?: string | null;
  /** What the mail is about, e.g. `invitation`; for filtering and support, never shown to recipients. */
  kind: string;
  to: string;
  subject: string;
}

export async function sealMailBody(
  tx: Kysely<Database>,
  keys: MailKeys,
  workspaceId: string | null,
  id: string,
  body: MailBody,
): Promise<string> {
  const plaintext = JSON.stringify({ text: body.text, html: body.html });
  if (workspaceId === null) return seal(outboxKey(keys.masterKey), OUTBOX_KEY_ID, plaintext, outboxAssociatedData(id));
  return keys.keyring.seal(tx, workspaceId, plaintext, outboxAssociatedData(id));
}

/**
 * Opens a sealed body; throws SealError (or MasterKeyMismatchError) when this master key cannot open
 * it, or an Error when the content is malformed.
 */
export async function openMailBody(
  db: Kysely<Database>,
  keys: MailKeys,
  workspaceId: string | null,
  id: string,
  sealed: string,
): Promise<MailBody> {
  const plaintext =
    sealedKeyId(sealed) === OUTBOX_KEY_ID || workspaceId === null
      ? open(outboxKey(keys.masterKey), sealed, outboxAssociatedData(id))
      : await keys.keyring.open(db, workspaceId, sealed, outboxAssociatedData(id));
  const parsed: unknown = JSON.parse(plaintext);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as MailBody).text !== 'string' ||
    typeof (parsed as MailBody).html !== 'string'
  ) {
    throw new Error('The sealed mail body is malformed');
  }
  return { text: (parsed as MailBody).text, html: (parsed as MailBody).html };
}

/**
 * Queues a message in the caller's transaction and returns its id. It is sent once the transaction has
 * committed: the worker polls, and is woken right after commit (the `mail-queued` notice, which the
 * app's unit of work maps to `app.mail.wake()`), so the mail goes out now rather than at the next poll.
 */
export async function enqueueMail(tx: Kysely<Database>, keys: MailKeys, message: OutgoingMail): Promise<string> {
  const id = randomUUID();
  await tx
    .insertInto('outbox')
    .values({
      id,
      workspace_id: message.workspaceId,
      invitation_id: message.invitationId ?? null,
      kind: message.kind,
      recipient: message.to,
      subject: message.subject,
      sealed_body: await sealMailBody(tx, keys, message.workspaceId, id, message),
      state: 'pending',
      // Wall-clock time, not the transaction's: a message cancelled and re-queued in one transaction
      // (a resent invitation) must still sort after the one it replaces.
      created_at: sql<Date>`clock_timestamp()`,
    })
    .execute();
  afterCommit(tx, 'mail-queued');
  return id;
}

export type DeliveryState = 'queued' | 'sent' | 'retrying' | 'failed' | 'cancelled';

export interface DeliveryView {
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

export function deliveryState(row: { state: OutboxState; attempts: number; last_error: string | null }): DeliveryState {
  if (row.state === 'pending') return row.attempts > 0 && row.last_error ? 'retrying' : 'queued';
  return row.state;
}

/** The delivery of the latest message for each invitation (invitations without mail are absent). */
export async function deliveryStates(
  db: Kysely<Database>,
  invitationIds: string[],
): Promise<Map<string, DeliveryView>> {
  const result = new Map<string, DeliveryView>();
  if (invitationIds.length === 0) return result;
  const rows = await db
    .selectFrom('outbox')
    .distinctOn('invitation_id')
    .select(['invitation_id', 'state', 'attempts', 'last_error', 'next_attempt_at', 'sent_at'])
    .where('invitation_id', 'in', [...new Set(invitationIds)])
    .orderBy('invitation_id')
    .orderBy('created_at', 'desc')
    // Ties (rows written in one statement's time): a live message wins over a cancelled one.
    .orderBy(sql`(state = 'cancelled')`)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    if (!row.invitation_id) continue;
    const state = deliveryState(row);
    result.set(row.invitation_id, {
      state,
      attempts: row.attempts,
      lastError: row.last_error,
      nextAttemptAt: row.state === 'pending' ? new Date(row.next_attempt_at).toISOString() : null,
      sentAt: row.sent_at ? new Date(row.sent_at).toISOString() : null,
    });
  }
  return result;
}

/**
 * Cancels the invitation's undelivered mail and wipes its body, so an old temporary password is never
 * delivered late (resend, revoke). A message being sent at this very moment may still go out. Returns
 * how many messages were cancelled.
 */
export async function cancelPendingMail(tx: Kysely<Database>, invitationId: string): Promise<number> {
  const result = await tx
    .updateTable('outbox')
    .set({ state: 'cancelled', sealed_body: null, locked_until: null })
    .where('invitation_id', '=', invitationId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
