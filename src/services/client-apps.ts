import type { Kysely } from 'kysely';
import type { ClientAppKind, Database, DeviceKind } from '../db/schema.js';
import { clientAppIsApproved, clientAppName } from '../domain/client-apps.js';
import { AppError } from '../domain/errors.js';

/**
 * Client apps (SPEC §7a): the workspace setting **Approved client apps** decides which kinds of client
 * may become devices. A device whose kind loses approval keeps its record but receives no secret: the
 * session's assurance counts it as untrusted from its next request on (resolveSession).
 */

export const clientAppNotApproved = (kind: DeviceKind) =>
  new AppError(
    'client-app-not-approved',
    403,
    'Client app not approved',
    `Your workspace does not approve the ${clientAppName(kind)}. A workspace admin can approve it under Workspace settings, in Approved client apps.`,
  );

/** The client apps the workspace approves now; every signed-in person may know them. */
export async function approvedClientApps(db: Kysely<Database>, workspaceId: string): Promise<ClientAppKind[]> {
  const row = await db
    .selectFrom('workspaces')
    .select('approved_client_apps')
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return row.approved_client_apps;
}

/** Refuses to register a device of a kind the workspace does not approve (a browser always may). */
export async function ensureClientAppApproved(
  db: Kysely<Database>,
  workspaceId: string,
  kind: DeviceKind,
): Promise<void> {
  if (kind === 'browser') return;
  if (!clientAppIsApproved(kind, await approvedClientApps(db, workspaceId))) throw clientAppNotApproved(kind);
}
