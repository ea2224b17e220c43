import type { Kysely } from 'kysely';
import type { ClientAppKind, Database } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { forbidden } from '../domain/errors.js';
import { workspacePolicy } from '../domain/policies/workspace.js';
import { recordEvent } from './activity.js';

export interface WorkspaceSettings {
  name: string;
  invitationTtlHours: number;
  passwordMinLength: number;
  idpRedirectSeconds: number;
  verifiedDomains: string[];
  /** How long a trusted device's approval lasts (SPEC §6), in days. */
  deviceApprovalDays: number;
  /** The client apps that may become devices and receive secrets (SPEC §7a); the web app always may. */
  approvedClientApps: ClientAppKind[];
}

const COLUMNS = {
  name: 'name',
  invitationTtlHours: 'invitation_ttl_hours',
  passwordMinLength: 'password_min_length',
  idpRedirectSeconds: 'idp_redirect_seconds',
  verifiedDomains: 'verified_domains',
  deviceApprovalDays: 'device_approval_days',
  approvedClientApps: 'approved_client_apps',
} as const;

export async function getWorkspaceSettings(db: Kysely<Database>, actor: Actor): Promise<WorkspaceSettings> {
  if (!workspacePolicy.viewSettings(actor))
    throw forbidden('Only the workspace owner and admins can see workspace settings.');
  const row = await db
    .selectFrom('workspaces')
    .selectAll()
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  return {
    name: row.name,
    invitationTtlHours: row.invitation_ttl_hours,
    passwordMinLength: row.password_min_length,
    idpRedirectSeconds: row.idp_redirect_seconds,
    verifiedDomains: row.verified_domains,
    deviceApprovalDays: row.device_approval_days,
    approvedClientApps: row.approved_client_apps,
  };
}

/** Changes the given settings; the activity event lists each change with its old and new value. */
export async function updateWorkspaceSettings(
  tx: Kysely<Database>,
  actor: Actor,
  changes: Partial<WorkspaceSettings>,
  context: RequestContext,
): Promise<WorkspaceSettings> {
  if (!workspacePolicy.changeSettings(actor))
    throw forbidden('Only the workspace owner and admins can change workspace settings.');
  const before = await getWorkspaceSettings(tx, actor);
  const changed = (Object.keys(changes) as Array<keyof WorkspaceSettings>).filter(
    (key) => changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(before[key]),
  );
  if (changed.length === 0) return before;
  const values = Object.fromEntries(changed.map((key) => [COLUMNS[key], changes[key]]));
  await tx.updateTable('workspaces').set(values).where('id', '=', actor.workspaceId).execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.settings_changed',
    targetType: 'workspace',
    targetId: actor.workspaceId,
    context,
    details: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: changes[key] }])),
  });
  return { ...before, ...Object.fromEntries(changed.map((key) => [key, changes[key]])) };
}
