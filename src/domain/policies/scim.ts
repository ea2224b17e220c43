import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/**
 * SCIM provisioning (SPEC §2b): a token can make and unmake admins (the admins' group), which only the
 * owner does in the web app, so only the owner creates one; the owner and admins see and revoke them.
 */
export const scimPolicy = {
  createToken: (actor: Actor) => actor.role === 'owner',
  manageTokens: (actor: Actor) => isWorkspaceAdmin(actor.role),
} as const;
