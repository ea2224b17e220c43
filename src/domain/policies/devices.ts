import type { Actor } from '../actor.js';
import { isWorkspaceAdmin } from '../roles.js';

/** Who the actor would manage: a user of the same workspace, and whether the actor hosts their partner. */
export interface DeviceOwnerStanding {
  actor: Actor;
  ownerId: string;
  /** The owner is a guest of a partner the actor is host admin of. */
  actorHostsOwner: boolean;
}

/**
 * SPEC §6: everyone manages their own devices; workspace owners and admins list and remove anyone's.
 * Host admins may do the same for the guests of their partners: they may already remove such a guest
 * altogether (SPEC §3), and removing a device only takes trust away.
 */
export const devicePolicy = {
  listOf: (s: DeviceOwnerStanding) =>
    s.actor.userId === s.ownerId || isWorkspaceAdmin(s.actor.role) || s.actorHostsOwner,
  removeOf: (s: DeviceOwnerStanding) =>
    s.actor.userId === s.ownerId || isWorkspaceAdmin(s.actor.role) || s.actorHostsOwner,
} as const;
