/**
 * Connecting the extension to Gatehouse: the OAuth 2.0 device authorization grant (RFC 8628) as the
 * server adapts it. `POST /api/v1/connect/start` gives a device code (kept by the extension), a short
 * user code (shown to the person) and the page where they approve it; the extension then polls
 * `POST /api/v1/connect/token` every `interval` seconds until the person approves or denies, or the code
 * expires. This file is the pure part: the state kept between polls and what each answer means.
 */
import type { Notice } from './messages.js';
import { problemMessage, readProblem } from './problems.js';

export type { Notice };

/** What is kept between polls (in chrome.storage.session): nothing secret beyond the device code. */
export interface ConnectFlow {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  /** When the codes expire, by this computer's clock (ms). */
  expiresAt: number;
  /** Seconds between polls; grows by 5 on each `slow_down`. */
  interval: number;
  /** When the next poll may be sent (ms). */
  nextPollAt: number;
  /** Why the last poll got no answer (the server could not be reached), while polling goes on. */
  problem?: string;
}

/** What the server hands over once the person approved: the session and the device's secret. */
export interface Grant {
  sessionToken: string;
  deviceSecret: string;
  device: { id: string; name: string; kind: string; status: string };
  user: { username: string; displayName: string };
  workspace: { slug: string; name: string };
}

/** The smallest wait between polls, whatever the server says (RFC 8628 §3.2: 5 s by default). */
const MIN_INTERVAL_S = 1;
const DEFAULT_INTERVAL_S = 5;
/** RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval for this and all later requests. */
const SLOW_DOWN_S = 5;

export const EXPIRED_MESSAGE = 'The code expired before it was approved. Connect again to get a new code.';
export const DENIED_MESSAGE = 'The connection was denied in Gatehouse. Connect again if that was a mistake.';
export const UNREACHABLE_MESSAGE = 'Gatehouse cannot be reached right now; still trying.';
export const INVALID_GRANT_MESSAGE = 'This code can no longer be used. Connect again to get a new code.';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The flow from the answer of `/connect/start`, or null when the answer is not one. */
export function startFlow(body: unknown, now: number): ConnectFlow | null {
  if (!isRecord(body)) return null;
  const { deviceCode, userCode, verificationUri, verificationUriComplete, expiresIn, interval } = body;
  if (!isText(deviceCode) || !isText(userCode) || !isText(verificationUri)) return null;
  if (typeof expiresIn !== 'number' || !(expiresIn > 0)) return null;
  const seconds =
    typeof interval === 'number' && interval > 0 ? Math.max(interval, MIN_INTERVAL_S) : DEFAULT_INTERVAL_S;
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: isText(verificationUriComplete) ? verificationUriComplete : verificationUri,
    expiresAt: now + expiresIn * 1000,
    interval: seconds,
    nextPollAt: now + seconds * 1000,
  };
}

export function isGrant(body: unknown): body is Grant {
  if (!isRecord(body) || !isText(body.sessionToken) || !isText(body.deviceSecret)) return false;
  const { device, user, workspace } = body;
  return (
    isRecord(device) &&
    isText(device.id) &&
    typeof device.name === 'string' &&
    isText(device.status) &&
    isRecord(user) &&
    typeof user.username === 'string' &&
    isRecord(workspace) &&
    typeof workspace.name === 'string'
  );
}

/** The parts of a grant the extension keeps (nothing the server may add later by surprise). */
export function keptGrant(grant: Grant): Grant {
  return {
    sessionToken: grant.sessionToken,
    deviceSecret: grant.deviceSecret,
    device: { id: grant.device.id, name: grant.device.name, kind: grant.device.kind, status: grant.device.status },
    user: { username: grant.user.username, displayName: grant.user.displayName ?? grant.user.username },
    workspace: { slug: grant.workspace.slug, name: grant.workspace.name },
  };
}

export type PollAnswer = { status: number; body: unknown } | { networkError: true };

export type PollOutcome =
  /** Keep polling: `flow` holds the (maybe longer) interval and the time of the next poll. */
  { kind: 'pending'; flow: ConnectFlow } | { kind: 'connected'; grant: Grant } | { kind: 'stopped'; notice: Notice };

/** Whether the flow has run out by this computer's clock, with one interval of grace for the server's say. */
export function flowExpired(flow: ConnectFlow, now: number): boolean {
  return now >= flow.expiresAt + flow.interval * 1000;
}

/** What one answer of `/connect/token` means for the flow. */
export function afterPoll(flow: ConnectFlow, answer: PollAnswer, now: number): PollOutcome {
  const nextFlow = (interval: number, problem?: string): ConnectFlow => {
    const next: ConnectFlow = { ...flow, interval, nextPollAt: now + interval * 1000 };
    delete next.problem;
    return problem ? { ...next, problem } : next;
  };
  const again = (interval = flow.interval): PollOutcome => ({ kind: 'pending', flow: nextFlow(interval) });
  if ('networkError' in answer) {
    if (flowExpired(flow, now)) return { kind: 'stopped', notice: { kind: 'expired', message: EXPIRED_MESSAGE } };
    return { kind: 'pending', flow: nextFlow(flow.interval, UNREACHABLE_MESSAGE) };
  }
  if (answer.status === 200) {
    if (isGrant(answer.body)) return { kind: 'connected', grant: keptGrant(answer.body) };
    return {
      kind: 'stopped',
      notice: { kind: 'refused', message: 'Gatehouse sent an answer this extension does not understand.' },
    };
  }
  const problem = readProblem(answer.body);
  if (answer.status === 400) {
    switch (problem.error) {
      case 'authorization_pending':
        return flowExpired(flow, now)
          ? { kind: 'stopped', notice: { kind: 'expired', message: EXPIRED_MESSAGE } }
          : again();
      case 'slow_down':
        return again(flow.interval + SLOW_DOWN_S);
      // The server's words first: a denial may say why (the workspace does not approve the extension).
      case 'expired_token':
        return { kind: 'stopped', notice: { kind: 'expired', message: problem.detail ?? EXPIRED_MESSAGE } };
      case 'access_denied':
        return { kind: 'stopped', notice: { kind: 'denied', message: problem.detail ?? DENIED_MESSAGE } };
      case 'invalid_grant':
        return { kind: 'stopped', notice: { kind: 'expired', message: problem.detail ?? INVALID_GRANT_MESSAGE } };
    }
  }
  return { kind: 'stopped', notice: { kind: 'refused', message: problemMessage(answer.status, problem) } };
}
