import type { Device, User, Workspace } from '../../db/schema.js';
import type { Actor } from '../../domain/actor.js';
import {
  deviceIsTrusted,
  mfaEnrolmentRequiredFor,
  mfaRequiredFor,
  type SessionAssurance,
} from '../../domain/assurance.js';
import { clientAppIsApproved } from '../../domain/client-apps.js';

/**
 * Sessions (SPEC §2). One use case per file in this folder (sign-in, open-session, resolve-session,
 * sign-out; sign-in-problems and unknown-username are what a refused sign-in answers and records,
 * session-lifetime its time-outs). This one is what a session is to the rest of the server: its user,
 * workspace, pending steps and assurance (the trusted-session rules), built alike whether resolveSession
 * read it or signIn just wrote it.
 */

/** The workspace facts every request needs; load the full row where a use case needs more. */
export type WorkspaceSummary = Pick<Workspace, 'id' | 'slug' | 'name' | 'mode'>;

export interface AuthenticatedSession {
  sessionId: string;
  actor: Actor;
  user: User;
  workspace: WorkspaceSummary;
  /**
   * Steps the server requires before anything else: the second factor at sign-in (SPEC §2), then the
   * first-sign-in gates (SPEC §4).
   */
  pending: { secondFactor: boolean; passwordChange: boolean; terms: boolean };
  assurance: SessionAssurance;
}

/** What a session's user, workspace, device and state are read as (resolveSession), or known as (signIn). */
export interface SessionFacts extends User {
  session_id: string;
  absolute_expires_at: Date;
  second_factor_at: Date | null;
  identity_confirmed_at: Date | null;
  device_id: string | null;
  device_name: string | null;
  device_kind: Device['kind'] | null;
  device_status: Device['status'] | null;
  device_approved_until: Date | null;
  mfa_enabled: boolean;
  w_slug: string;
  w_name: string;
  w_mode: Workspace['mode'];
  w_approved_client_apps: Workspace['approved_client_apps'];
  terms_pending: boolean;
}

export function toAuthenticatedSession(facts: SessionFacts, now: number): AuthenticatedSession {
  const {
    session_id,
    absolute_expires_at,
    w_slug,
    w_name,
    w_mode,
    w_approved_client_apps,
    terms_pending,
    second_factor_at,
    identity_confirmed_at,
    device_id,
    device_name,
    device_kind,
    device_status,
    device_approved_until,
    mfa_enabled,
    ...user
  } = facts;
  void absolute_expires_at;
  const device =
    device_id && device_name && device_status && device_kind
      ? {
          id: device_id,
          name: device_name,
          kind: device_kind,
          status: device_status,
          approvedUntil: device_approved_until,
        }
      : null;
  // A device whose kind the workspace stopped approving keeps its status, but gets no secret from now on.
  const clientAppApproved = device === null || clientAppIsApproved(device.kind, w_approved_client_apps);
  return {
    sessionId: session_id,
    actor: { userId: user.id, workspaceId: user.workspace_id, role: user.role, status: user.status, at: now },
    user,
    workspace: { id: user.workspace_id, slug: w_slug, name: w_name, mode: w_mode },
    pending: {
      secondFactor: mfa_enabled && second_factor_at === null,
      passwordChange: user.must_change_password,
      terms: terms_pending,
    },
    assurance: {
      mfaRequired: mfaRequiredFor(user, { mode: w_mode }, { secondFactorAt: second_factor_at }),
      mfaEnrolmentRequired: mfaEnrolmentRequiredFor(
        user,
        { mode: w_mode },
        { secondFactorAt: second_factor_at, mfaEnabled: mfa_enabled },
      ),
      mfaEnabled: mfa_enabled,
      secondFactorAt: second_factor_at,
      identityConfirmedAt: identity_confirmed_at,
      device,
      clientAppApproved,
      trusted: clientAppApproved && deviceIsTrusted(device, now),
    },
  };
}
