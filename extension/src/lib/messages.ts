/**
 * The messages between the extension's parts. The service worker is the only part that talks to the
 * server and holds the session; the popup asks it for status; content scripts report the login fields
 * they see and fill on request.
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

/** Content script → service worker, when the fields its frame shows change. */
export interface FieldsFoundReport {
  type: 'fieldsFound';
  fields: FieldsSummary;
  /** The frame's `location.ancestorOrigins`, for the service worker's same-site check. */
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

export function isFieldsFoundReport(value: unknown): value is FieldsFoundReport {
  if (!isRecord(value) || value.type !== 'fieldsFound' || !isRecord(value.fields)) return false;
  const { fields } = value;
  return (
    typeof fields.username === 'boolean' &&
    typeof fields.password === 'boolean' &&
    typeof fields.oneTimeCode === 'boolean' &&
    Array.isArray(value.ancestorOrigins) &&
    value.ancestorOrigins.every((origin) => typeof origin === 'string')
  );
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
