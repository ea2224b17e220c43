import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** SCIM provisioning (SPEC §2b): the owner and admins connect the identity provider with a token. */
export const scimPolicy = {
  manageTokens: (actor: Actor) => isWorkspaceAdmin(actor.role),
} as const;
