/**
 * Reading the server's answers: RFC 9457 problem details (`type`, `title`, `detail`, and the extras the
 * extension acts on: `error` while connecting, `reason` when a session ends) and the messages the popup
 * shows for them. Pure: the service worker passes the status and the parsed body.
 */

export interface ProblemBody {
  type?: string;
  title?: string;
  detail?: string;
  /** RFC 8628 §3.5 error code of the connect token endpoint. */
  error?: string;
  /** Why a session ended (a 401 answer). */
  reason?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** The problem fields of an answer's body, whatever it holds (a non-JSON body gives none). */
export function readProblem(body: unknown): ProblemBody {
  if (!isRecord(body)) return {};
  const problem: ProblemBody = {};
  for (const key of ['type', 'title', 'detail', 'error', 'reason'] as const) {
    const value = text(body[key]);
    if (value !== undefined) problem[key] = value;
  }
  return problem;
}

/** The last part of a problem type ("/api/problems/client-app-not-approved" → "client-app-not-approved"). */
export function problemName(problem: ProblemBody): string | undefined {
  return problem.type?.split('/').filter(Boolean).at(-1);
}

export const SESSION_END_REASONS = [
  'signed_out',
  'device_removed',
  'device_denied',
  'user_deactivated',
  'idle_timeout',
  'absolute_timeout',
  'client_app_not_approved',
  'unknown',
] as const;

export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export function sessionEndReason(problem: ProblemBody): SessionEndReason {
  const reason = problem.reason as SessionEndReason | undefined;
  return reason !== undefined && SESSION_END_REASONS.includes(reason) ? reason : 'unknown';
}

/** What the popup says when the server gave no `detail` for a session's end. */
const SESSION_END_MESSAGES: Record<SessionEndReason, string> = {
  signed_out: 'You signed out of Gatehouse in this browser.',
  device_removed: 'This browser extension was removed from your trusted devices.',
  device_denied: 'This browser extension was denied as a trusted device.',
  user_deactivated: 'Your Gatehouse user was deactivated.',
  idle_timeout: 'Your Gatehouse session ended after a time without use.',
  absolute_timeout: 'Your Gatehouse session reached its maximum length.',
  client_app_not_approved: 'Your workspace no longer approves the browser extension.',
  unknown: 'Your Gatehouse session ended.',
};

/** A message to show for a session that ended: the server's own words first. */
export function sessionEndMessage(problem: ProblemBody): string {
  return problem.detail ?? SESSION_END_MESSAGES[sessionEndReason(problem)];
}

/** A message for any refused request: the server's detail, else its title, else a generic one by status. */
export function problemMessage(status: number, problem: ProblemBody): string {
  if (problem.detail) return problem.detail;
  if (problem.title) return problem.title;
  if (status === 429) return 'Too many requests to Gatehouse. Try again in a moment.';
  if (status >= 500) return `Gatehouse could not answer (error ${status}). Try again in a moment.`;
  return `Gatehouse refused the request (error ${status}).`;
}
