import type { Kysely } from 'kysely';
import type { Database, Partner, Workspace } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import { hashToken, randomToken } from '../../crypto/tokens.js';
import { enqueueMail, type MailKeys, type WorkspaceSealer } from '../../mail/outbox.js';
import { invitationMail } from '../../mail/templates.js';
import type { TemporaryPasswordKeys } from '../temporary-passwords.js';

/**
 * What inviting needs beyond the database: the keyring that seals mail and keys temporary passwords, and
 * the address links point to.
 */
export interface InvitationDeps extends MailKeys {
  keyring: WorkspaceSealer & TemporaryPasswordKeys;
  publicUrl: URL;
}

export interface InvitationLink {
  /** Goes only into the mail; the database keeps its hash. */
  token: string;
  tokenHash: string;
  expiresAt: Date;
}

/** A fresh Join as a guest link, valid for the workspace's invitation lifetime from now. */
export function newInvitationLink(workspace: Workspace): InvitationLink {
  const token = randomToken();
  return {
    token,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + workspace.invitation_ttl_hours * 3600_000),
  };
}

export async function queueInvitationMail(
  tx: Kysely<Database>,
  deps: InvitationDeps,
  workspace: Workspace,
  actor: Actor,
  partner: Partner,
  message: {
    invitationId: string;
    email: string;
    password: string;
    link: InvitationLink;
    /** When the caller has read it already (null: the inviter is gone). */
    inviterName?: string | null;
  },
): Promise<void> {
  const inviterName =
    message.inviterName !== undefined
      ? message.inviterName
      : ((await tx.selectFrom('users').select('display_name').where('id', '=', actor.userId).executeTakeFirst())
          ?.display_name ?? null);
  const joinUrl = new URL(`/w/${workspace.slug}`, deps.publicUrl);
  joinUrl.searchParams.set('invitation', message.link.token);
  const mail = invitationMail({
    workspaceName: workspace.name,
    partnerName: partner.name,
    inviterName: inviterName ?? 'A host admin',
    username: message.email,
    temporaryPassword: message.password,
    expiresAt: message.link.expiresAt,
    joinUrl: joinUrl.toString(),
  });
  await enqueueMail(tx, deps, {
    workspaceId: partner.workspace_id,
    invitationId: message.invitationId,
    kind: 'invitation',
    to: message.email,
    ...mail,
  });
}
