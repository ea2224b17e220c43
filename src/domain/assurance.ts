import type { DeviceKind, DeviceStatus, UserKind, WorkspaceMode } from './vocabulary.js';

/** SPEC §5: a second factor within this long counts as a confirmed identity for sensitive actions. */
export const IDENTITY_CONFIRMATION_MS = 5 * 60 * 1000;

/** What a session has proved, resolved from the database on every request. */
export interface SessionAssurance {
  /** Guests, and everyone in a local-mode workspace, must turn on MFA before any account access. */
  mfaRequired: boolean;
  /** The user has at least one confirmed second factor (TOTP or passkey). */
  mfaEnabled: boolean;
  /** When this session last passed a second factor; null when it has not. */
  secondFactorAt: Date | null;
  /** When the user last confirmed their identity in this session. */
  identityConfirmedAt: Date | null;
  /** The device the client presented (its secret matched one of this user's devices), whatever its status. */
  device: { id: string; name: string; kind: DeviceKind; status: DeviceStatus; approvedUntil: Date | null } | null;
  /**
   * The device is of a kind the workspace approves (SPEC §7a): a browser always is, an extension or a
   * command-line install only while the workspace's **Approved client apps** lists its kind. True without a device.
   */
  clientAppApproved: boolean;
  /**
   * The device is approved, its approval has not run out and its kind is approved: the session may
   * receive secrets.
   */
  trusted: boolean;
}

export function mfaRequiredFor(user: { kind: UserKind }, workspace: { mode: WorkspaceMode }): boolean {
  return user.kind === 'guest' || workspace.mode === 'local';
}

export function deviceIsTrusted(
  device: { status: DeviceStatus; approvedUntil: Date | null } | null,
  now: number,
): boolean {
  return device?.status === 'approved' && device.approvedUntil !== null && device.approvedUntil.getTime() > now;
}

export function identityIsFresh(assurance: Pick<SessionAssurance, 'identityConfirmedAt'>, now: number): boolean {
  const at = assurance.identityConfirmedAt;
  return at !== null && now - at.getTime() <= IDENTITY_CONFIRMATION_MS;
}
