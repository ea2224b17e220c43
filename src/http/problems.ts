import type { FastifyReply } from 'fastify';
import type { FieldError } from '../domain/errors.js';

/** RFC 9457 problem details. `type` is stable per kind of error and resolves to /api/problems/{name}. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export const problemType = (name: string) => `/api/problems/${name}`;

export function sendProblem(reply: FastifyReply, problem: Omit<Problem, 'type'> & { type: string }): FastifyReply {
  return reply
    .status(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...problem, type: problemType(problem.type) });
}

/**
 * Human descriptions of each problem type, served at /api/problems/{name}. Without a prototype, so a name
 * like `constructor` or `__proto__` finds nothing rather than an Object.prototype member.
 */
export const PROBLEM_DESCRIPTIONS: Record<string, string> = Object.assign(Object.create(null), {
  'validation-failed': 'The request body, query or path did not match the schema. `errors` lists each field.',
  'malformed-json': 'The request body is not valid JSON.',
  'unsupported-media-type': 'The request body must be sent as application/json.',
  'body-too-large': 'The request body is larger than the server accepts.',
  csrf: 'The CSRF token is missing or does not match. Fetch one from GET /api/v1/auth/csrf and send it in the x-csrf-token header.',
  unauthenticated: 'The request needs a signed-in session.',
  'metrics-token-required':
    '/metrics needs the metrics token (GATEHOUSE_METRICS_TOKEN) as `Authorization: Bearer <token>`; it was missing or wrong.',
  forbidden: 'The signed-in user may not do this.',
  'not-found': 'The resource does not exist, or is not visible to you.',
  'invalid-credentials': 'Wrong username or password. The same answer is given for unknown users.',
  'weak-password': 'The password breaks the workspace password policy. `errors` names each rule.',
  'slug-taken': 'Another workspace already uses this URL name.',
  'slug-reserved': 'This URL name is reserved for the application.',
  'email-taken': 'Someone in this workspace already uses this email address.',
  'already-set-up': 'The first workspace already exists; sign in instead.',
  'password-change-required':
    'The temporary password must be changed (POST /api/v1/auth/change-password) before any other call.',
  'terms-acceptance-required':
    'The current terms of service must be accepted (POST /api/v1/terms/accept) before any other call.',
  'second-factor-required':
    'Sign-in needs a second factor: an authentication code, a recovery code or a passkey (the verification page).',
  'mfa-required': 'Guests and local users must turn on MFA (POST /api/v1/mfa/totp/setup) before any account access.',
  'trusted-session-required':
    'Passwords and TOTP codes go only to a trusted session: set up this device (POST /api/v1/devices) and get it verified or approved.',
  'identity-confirmation-required':
    'A sensitive action needs a second factor within the last 5 minutes (POST /api/v1/mfa/confirm-identity).',
  'passkey-challenge-expired':
    'No passkey request is waiting for this session, or it expired: a challenge lasts 5 minutes and answers one ceremony once. Ask for new options.',
  'passkey-not-verified':
    'The passkey answer could not be verified (unknown credential, another challenge, origin or RP ID, or a bad signature). Counted as a failed second-factor attempt when signing in or confirming identity.',
  'passkey-name-taken': 'You already have a passkey with this name (names are compared ignoring case).',
  'passkey-already-registered': 'This credential is already registered; an authenticator can be added once.',
  'no-passkeys': 'The user has no passkeys; use an authentication code or a recovery code instead.',
  'totp-code-invalid':
    "The authentication code is wrong, already used (each code works once), or not 6 digits. A code that keeps failing usually means the phone's clock is off. Counted as a failed second-factor attempt.",
  'recovery-code-invalid':
    "The recovery code is not one of the user's unused codes. Counted as a failed second-factor attempt.",
  'totp-not-enabled': 'The user has no authenticator app (TOTP) turned on.',
  'totp-enrolment-not-started':
    'No authenticator app is waiting for its first code: start with POST /api/v1/mfa/totp/setup.',
  'second-factor-not-pending': 'This session has already passed its second factor.',
  'client-app-required':
    'Passwords are delivered for autofill only to an approved client app (browser extension or command line) on a trusted device.',
  'client-app-not-approved':
    'The workspace does not approve this kind of client app (Approved client apps in the workspace settings), so it cannot be set up as a device. A workspace admin can approve it.',
  'connect-request-not-found':
    'The user code is unknown, was already decided, or expired (codes live 10 minutes). The client app starts connecting again.',
  'authorization-pending':
    'RFC 8628 `authorization_pending`: the person has not approved or denied the connect request yet. Poll again after `interval` seconds.',
  'slow-down':
    'RFC 8628 `slow_down`: the client polled faster than the interval; `interval` gives the new, longer one.',
  'expired-token': 'RFC 8628 `expired_token`: the connect request expired before it was approved. Start again.',
  'access-denied':
    'RFC 8628 `access_denied`: the person denied the connection, or it could not be completed (`detail` says why). Start again.',
  'invalid-grant': 'RFC 8628 `invalid_grant`: the device code is unknown or was already used. Start again.',
  'no-second-factor': 'Reset MFA: the person has no second factor to reset.',
  'guest-not-active':
    'Reset password applies to an active guest only: an invited guest gets Resend invitation instead, a deactivated one cannot sign in.',
  'current-password-wrong':
    'Change password: the current password given is not right. Counted as a failed password attempt (lockouts apply).',
  'password-not-used':
    "The person signs in through the workspace's identity provider and has no Gatehouse password to change.",
  'session-ended':
    "A client app's session no longer works; `reason` says why (signed_out, device_removed, device_denied, user_deactivated, idle_timeout, absolute_timeout, client_app_not_approved, unknown). Connect again.",
  'already-shared': 'The person can already use this account.',
  'bad-cursor': "The Activity page's cursor is not one this server gave out: start again from the newest events.",
  'access-through-partner':
    "The person's access comes from the partner's share; remove the account from the partner instead.",
  'last-owner': 'An account keeps at least one owner.',
  'no-totp-secret': 'The account has no TOTP secret.',
  'no-password': 'The account has no password.',
  'invalid-totp-secret': 'The TOTP secret is not valid base32 or a supported otpauth://totp/ URI.',
  'password-change-invalid': 'The new password or names were refused. `errors` names each problem.',
  'password-already-changed': 'The temporary password was already replaced.',
  'reset-link-invalid':
    'The password reset link cannot be used: `state` says whether it expired (30 minutes, or a newer link replaced it), was already used, or is unknown. Ask for a new one with Forgot your password?.',
  'member-not-invited': 'The member is not waiting on an invitation (they joined, or were deactivated).',
  'member-invited': 'The member has not joined yet: revoke the invitation (and invite again) instead.',
  'member-deactivated': 'The member is already deactivated.',
  'member-active': 'The member is not deactivated.',
  'member-never-joined':
    'The invitation was revoked before the person joined: invite them again instead of reactivating.',
  'role-unchanged': 'The member already has this role.',
  'transfer-required':
    'The member is the only owner of some accounts or the only host admin of some partners; `errors` lists each. Deactivate again with `transferTo` naming who takes them over.',
  'transfer-target-invalid':
    'Ownership can pass only to an active member of the workspace, other than the person leaving.',
  'invitation-expired': 'The invitation has expired; an admin can send it again.',
  'sign-in-with-idp': "The workspace signs its members in through the company's identity provider.",
  'temporary-password-expired': 'The invitation and its temporary password have expired; a host admin can resend it.',
  'invitation-revoked': 'The invitation was revoked.',
  'invitation-accepted': 'The invitation was already accepted.',
  'invitation-not-found': 'The invitation link is unknown or was replaced by a newer invitation.',
  'guest-domain-not-allowed': "Guests cannot come from the workspace's own domains or a host admin's domain.",
  'guest-exists': 'The person is already a guest in this workspace (a guest belongs to one partner).',
  'partner-name-taken': 'Another partner in this workspace has this name.',
  'host-admin-required': 'A partner needs at least one partnership host.',
  'host-admin-not-member': 'Partnership hosts must be active members of the workspace.',
  'last-host-admin': 'The last host admin of a partner cannot be removed.',
  'terms-changed': 'The terms of service changed; accept the current version.',
  'method-not-allowed': 'The resource does not support this HTTP method.',
  'rate-limited': 'Too many requests; retry after the time given in Retry-After.',
  'invitations-rate-limited':
    "Too many invitations (resends included) were sent by you, or to the guests of this partner, within the limit's window (an hour); nothing was sent. Retry after the time given in Retry-After.",
  'too-many-attempts':
    'Too many failed attempts for this user or from this address: it is locked out for a while (growing with repeated lockouts). Retry after the time given in Retry-After; the attempt was not checked.',
  'server-busy':
    'The server is checking too many passwords at once and refused this one without checking it. Retry after the time given in Retry-After.',
  'bad-request': 'The request could not be understood.',
  'database-unavailable':
    'The database could not be reached or the connection died during the request. Retry after the Retry-After header; a request that was not acknowledged may be sent again.',
  'internal-error': 'The server failed unexpectedly. The error was logged with the request id.',
  'idp-unavailable':
    "The workspace's identity provider could not be reached (or is not set up yet), so single sign-on cannot start. Guests are not affected: they sign in with their Gatehouse username.",
  'idp-settings-invalid':
    'The identity provider settings are incomplete or invalid: idp mode needs an https issuer URL and a client id.',
  'url-too-long': 'A part of the URL (such as a path parameter) is longer than the server accepts.',
  'device-limit-reached':
    'A user has at most 20 approved or pending devices: remove one (DELETE /api/v1/devices/{id}) before setting up another.',
  'device-name-taken': 'The user already has a live device with this name (names are compared ignoring case).',
  'device-already-registered':
    'This client already is a device of the user (pending or approved); remove it first to set it up again.',
  'device-not-registered':
    'This client presented no device of the signed-in user: set up a trusted session first (POST /api/v1/devices).',
  'device-code-not-sent':
    "No code is outstanding for this device: ask for one (POST /api/v1/devices/current/code, I don't have access to my trusted device).",
  'device-code-wrong':
    'The device code is wrong; the detail says how many tries the code has left. Counted as a failed device-code attempt.',
  'device-code-expired': 'The device code is older than 5 minutes: ask for a new one.',
  'device-code-exhausted': 'The device code was tried 5 times and no longer works: ask for a new one.',
  'device-code-recently-sent':
    'A code was mailed for this device moments ago; retry after the time given in Retry-After.',
  'device-already-trusted': 'This device is already approved; there is nothing to verify.',
  'device-denied': 'This device was denied; set up a trusted session again to ask anew.',
  'device-not-pending': 'Only a device waiting for approval or verification can be approved or denied.',
  'device-already-removed': 'The device was already removed; removal is final.',
  'email-unchanged': 'Change email: the new address is the one the member already uses.',
  'email-change-not-found': 'The email confirmation link is unknown (check that the whole link was opened).',
  'email-change-used': 'The email confirmation link was already used: the new address is confirmed.',
  'email-change-cancelled':
    'The email confirmation link no longer works: a newer change was asked for, or whoever asked can no longer make it. An administrator can send a new one.',
  'email-change-expired': 'The email confirmation link is older than 24 hours. An administrator can send a new one.',
  'new-owner-not-active-admin': 'Transfer workspace ownership: the new owner must be an active admin of the workspace.',
});
