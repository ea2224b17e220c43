import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { forbidden } from '../domain/errors.js';
import { workspacePolicy } from '../domain/policies/workspace.js';
import { openMailBody, type MailKeys } from '../mail/outbox.js';

export interface DevOutboxMessage {
  id: string;
  to: string;
  subject: string;
  /** Null once the body is gone (a cancelled message) or cannot be opened with this master key. */
  text: string | null;
  html: string | null;
  state: 'pending' | 'sent' | 'failed' | 'cancelled';
  createdAt: string;
}

/** The workspace's newest mail with its bodies opened, for those who may read the development outbox. */
export async function readDevOutbox(
  db: Kysely<Database>,
  keys: MailKeys,
  actor: Actor,
  limit: number,
): Promise<DevOutboxMessage[]> {
  if (!workspacePolicy.readDevOutbox(actor))
    throw forbidden('Only the workspace owner and admins can see the development outbox.');
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'recipient', 'subject', 'sealed_body', 'state', 'created_at'])
    .where('workspace_id', '=', actor.workspaceId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return Promise.all(
    rows.map(async (row) => {
      let body: { text: string; html: string } | null = null;
      if (row.sealed_body) {
        try {
          body = await openMailBody(db, keys, actor.workspaceId, row.id, row.sealed_body);
        } catch {
          body = null;
        }
      }
      return {
        id: row.id,
        to: row.recipient,
        subject: row.subject,
        text: body?.text ?? null,
        html: body?.html ?? null,
        state: row.state,
        createdAt: new Date(row.created_at).toISOString(),
      };
    }),
  );
}
