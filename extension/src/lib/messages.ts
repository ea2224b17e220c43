/**
 * The messages between the extension's parts. The service worker is the only part that talks to the
 * server and holds the session; the popup asks it for status; content scripts say which login fields
 * their frame shows and fill them, on the service worker's request only.
 */

/** Popup → service worker. */
export type PopupRequest =
  | { type: 'getStatus' }
  | { type: 'setAddress'; address: string }
  | { type: 'forgetAddress' }
  /** Start connecting (RFC 8628 device authorization): a user code to approve in Gatehouse. */
  | { type: 'connect' }
  | { type: 'cancelConnect' }
  /** Open the page where the person approves the code, in a new tab. */
  | { type: 'openApproval' }
  /** The 6-digit code mailed to the person, for a device approved from an untrusted session. */
  | { type: 'verifyDevice'; code: string }
  | { type: 'sendDeviceCode' }
  | { type: 'signOut' }
  /** The accounts matching the page the popup is about, fetched afresh. */
  | { type: 'pageAccounts' }
  | { type: 'fill'; accountId: string; tabId: number };

/** Why the extension is not connected (shown until the next attempt). */
export interface Notice {
  kind: 'expired' | 'denied' | 'refused' | 'ended' | 'signed-out';
  message: string;
  /** Why the server ended the session (`device_removed`, `idle_timeout`, …), for kind `ended`. */
  reason?: string;
}

export interface Status {
  /** The Gatehouse server's origin, once the person has entered it. */
  address: string | null;
  /** Whether this extension holds a session on that server. */
  connected: boolean;
  /** While connecting: the code to approve and where. */
  connecting: { userCode: string; verificationUri: string; problem: string | null } | null;
  /** Who is connected, to which workspace, as which device. */
  session: {
    username: string;
    displayName: string;
    workspaceName: string;
    deviceName: string;
    /** `approved`, or `pending_verification` while the mailed code is awaited. */
    deviceStatus: string;
  } | null;
  notice: Notice | null;
}

/** An account the popup lists: no login URL, no secret. */
export interface PageAccount {
  id: string;
  name: string;
  appName: string;
  username: string | null;
  role: string;
}

export type PopupResponse =
  | { type: 'status'; status: Status }
  | { type: 'error'; message: string }
  | { type: 'accounts'; page: { tabId: number; host: string } | null; accounts: PageAccount[] }
  /** A request done; `message` says what happened (a fill, a code sent). */
  | { type: 'done'; message: string };

/** Service worker → open popups: the status changed, ask for it again. Carries nothing. */
export interface ChangedNotification {
  type: 'changed';
}

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

export function isDetectResponse(value: unknown): value is DetectResponse {
  if (!isRecord(value) || value.type !== 'detected' || typeof value.origin !== 'string') return false;
  const fields = value.fields;
  return (
    isRecord(fields) &&
    typeof fields.username === 'boolean' &&
    typeof fields.password === 'boolean' &&
    typeof fields.oneTimeCode === 'boolean' &&
    Array.isArray(value.ancestorOrigins) &&
    value.ancestorOrigins.every((origin) => typeof origin === 'string')
  );
}

export function isFillResponse(value: unknown): value is FillResponse {
  return isRecord(value) && (value.type === 'filled' || value.type === 'refused');
}

export type FillResponse =
  { type: 'filled'; filled: FieldsSummary } | { type: 'refused'; reason: 'origin-changed' | 'no-fields' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string';

const BARE_REQUESTS = new Set([
  'getStatus',
  'forgetAddress',
  'connect',
  'cancelConnect',
  'openApproval',
  'sendDeviceCode',
  'signOut',
  'pageAccounts',
]);

export function isPopupRequest(value: unknown): value is PopupRequest {
  if (!isRecord(value) || typeof value.type !== 'string') return false;
  if (BARE_REQUESTS.has(value.type)) return true;
  if (value.type === 'setAddress') return typeof value.address === 'string';
  if (value.type === 'verifyDevice') return typeof value.code === 'string';
  if (value.type === 'fill') return typeof value.accountId === 'string' && Number.isInteger(value.tabId);
  return false;
}

export function isChangedNotification(value: unknown): value is ChangedNotification {
  return isRecord(value) && value.type === 'changed';
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
