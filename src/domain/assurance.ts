import type { DeviceKind, DeviceStatus, UserKind, WorkspaceMode, WorkspaceRole } from './vocabulary.js';

/** SPEC §5: a second factor within this long counts as a confirmed identity for sensitive actions. */
export const IDENTITY_CONFIRMATION_MS = 5 * 60 * 1000;

/** What a session has proved, resolved from the database on every request. */
export interface SessionAssurance {
  /**
   * The person must turn on MFA before any account access: guests, everyone in a local-mode workspace, and
   * a member of an idp workspace whose session passed no second factor (neither Gatehouse's nor one the
   * IdP asserted).
   */
  mfaRequired: boolean;
  /**
   * The person must turn on MFA before anything else (SPEC §2b): the owner of an idp workspace, signed in
   * with a password (the break-glass local sign-in) or through the IdP without an asserted second factor,
   * who has no second factor yet. Only the MFA enrolment routes, the session itself and sign-out answer.
   */
  mfaEnrolmentRequired: boolean;
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

/**
 * Whether this session must have Gatehouse MFA on before account access. A member of an idp workspace may
 * rely on the IdP's second factor only when the session says it was asserted: the OIDC sign-in marks such a
 * session as having passed its second factor (`second_factor_at`). A password session (an owner's
 * break-glass sign-in, or one an idp member held from before the switch) never is, so it needs MFA too.
 */
export function mfaRequiredFor(
  user: { kind: UserKind },
  workspace: { mode: WorkspaceMode },
  session: { secondFactorAt: Date | null },
): boolean {
  return user.kind === 'guest' || workspace.mode === 'local' || session.secondFactorAt === null;
}

/**
 * SPEC §2b: the owner of an idp workspace without a second factor (none of their own, none asserted by the
 * IdP for this session) must turn MFA on before anything else.
 */
export function mfaEnrolmentRequiredFor(
  user: { kind: UserKind; role: WorkspaceRole },
  workspace: { mode: WorkspaceMode },
  session: { secondFactorAt: Date | null; mfaEnabled: boolean },
): boolean {
  return (
    workspace.mode === 'idp' &&
    user.kind === 'member' &&
    user.role === 'owner' &&
    !session.mfaEnabled &&
    session.secondFactorAt === null
  );
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
