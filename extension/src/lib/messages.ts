/**
 * The messages between the extension's parts. The service worker is the only part that talks to the
 * server and holds the session; the popup asks it for status; content scripts say which login fields
 * their frame shows and fill them, on the service worker's request only.
 */

/** Popup → service worker. */
export type PopupRequest = { type: 'getStatus' } | { type: 'setAddress'; address: string } | { type: 'forgetAddress' };

export interface Status {
  /** The Gatehouse server's origin, once the person has entered it. */
  address: string | null;
  /** Whether this extension holds a session on that server (the connect flow comes later). */
  connected: boolean;
}

export type PopupResponse = { type: 'status'; status: Status } | { type: 'error'; message: string };

/** Which login fields a frame has, never their values. */
export interface FieldsSummary {
  username: boolean;
  password: boolean;
  oneTimeCode: boolean;
}

/**
 * Service worker → one frame's content script, at the moment of filling: which fields the frame shows
 * and where it is. Asked then rather than reported as pages change, because a service worker is stopped
 * when idle and forgets what it was told.
 */
export interface DetectRequest {
  type: 'detect';
}

export interface DetectResponse {
  type: 'detected';
  origin: string;
  fields: FieldsSummary;
  /** The frame's `location.ancestorOrigins` (its parent first, the top page last), for the same-site check. */
  ancestorOrigins: string[];
}

/**
 * Service worker → one frame's content script: the values to type. `origin` is the frame origin the
 * service worker matched against the account; a frame that has navigated elsewhere since fills nothing.
 */
export interface FillRequest {
  type: 'fill';
  origin: string;
  username?: string;
  password?: string;
  oneTimeCode?: string;
}

export type FillResponse =
  { type: 'filled'; filled: FieldsSummary } | { type: 'refused'; reason: 'origin-changed' | 'no-fields' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

export function isPopupRequest(value: unknown): value is PopupRequest {
  if (!isRecord(value)) return false;
  if (value.type === 'getStatus' || value.type === 'forgetAddress') return true;
  return value.type === 'setAddress' && typeof value.address === 'string';
}

export function isDetectRequest(value: unknown): value is DetectRequest {
  return isRecord(value) && value.type === 'detect';
}

export function isFillRequest(value: unknown): value is FillRequest {
  return (
    isRecord(value) &&
    value.type === 'fill' &&
    typeof value.origin === 'string' &&
    isOptionalString(value.username) &&
    isOptionalString(value.password) &&
    isOptionalString(value.oneTimeCode)
  );
}
