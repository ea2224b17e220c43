import type { UserKind, UserStatus, WorkspaceMode, WorkspaceRole } from './vocabulary.js';

/**
 * **Forgot your password?** (SPEC §2a): who may get a reset link by email. Pure rules, no I/O; the
 * service (src/services/password-reset.ts) loads the person and acts on the answer.
 */

/** How long a reset link works. */
export const RESET_LINK_TTL_MS = 30 * 60 * 1000;

/**
 * What a request for an address leads to:
 * - `link`: a local user with a password (a member of a `local` workspace, any guest, the owner
 *   everywhere, whose local sign-in is the break-glass of an `idp` workspace) gets a reset link;
 * - `idp`: a member of an `idp` workspace is told to sign in through the identity provider, no link;
 * - `none`: nothing is sent (an invited or deactivated person, or one without a password to reset).
 * The requester is told the same thing whatever the outcome.
 */
export type ResetOutcome = 'link' | 'idp' | 'none';

export interface ResetCandidate {
  kind: UserKind;
  role: WorkspaceRole;
  status: UserStatus;
  hasPassword: boolean;
}

export function resetOutcome(user: ResetCandidate, mode: WorkspaceMode): ResetOutcome {
  if (user.status !== 'active') return 'none';
  if (mode === 'idp' && user.kind === 'member' && user.role !== 'owner') return 'idp';
  return user.hasPassword ? 'link' : 'none';
}

/** What a reset link's token stands for when someone opens it. */
export type ResetLinkState = 'valid' | 'expired' | 'used';

export function resetLinkState(reset: { expiresAt: Date; usedAt: Date | null }, now: number): ResetLinkState {
  if (reset.usedAt) return 'used';
  return reset.expiresAt.getTime() <= now ? 'expired' : 'valid';
}
