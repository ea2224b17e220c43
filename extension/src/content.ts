/**
 * The content script, in every frame of every http(s) page. It answers the service worker only: which
 * login fields its frame shows (never their values), and a request to fill them. It never logs, stores
 * or returns a value it is given, and keeps no reference to one after filling. It does nothing by
 * itself, so a page pays only for loading it.
 *
 * Which account may be filled where is the service worker's decision (registrable domains, the frame's
 * ancestors, http); this script only checks that its frame is still at the origin that decision was made
 * for, so a frame that navigated in between fills nothing.
 */
import { fillField, fillOneTimeCode, findLoginFields } from './lib/forms.js';
import {
  isDetectRequest,
  isFillRequest,
  type DetectResponse,
  type FieldsSummary,
  type FillRequest,
  type FillResponse,
} from './lib/messages.js';

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  // From the service worker only: not from another extension, nor from a web page's frame.
  if (sender.id !== chrome.runtime.id || sender.tab) return false;
  if (isDetectRequest(message)) sendResponse(detect());
  else if (isFillRequest(message)) sendResponse(fill(message));
  return false;
});

function detect(): DetectResponse {
  const fields = findLoginFields(document);
  return {
    type: 'detected',
    origin: location.origin,
    fields: {
      username: !!fields.username,
      password: !!fields.password,
      oneTimeCode: !!fields.oneTimeCode || fields.oneTimeCodeDigits.length > 0,
    },
    ancestorOrigins: Array.from(location.ancestorOrigins ?? []),
  };
}

function fill(request: FillRequest): FillResponse {
  if (location.origin !== request.origin) return { type: 'refused', reason: 'origin-changed' };
  const fields = findLoginFields(document);
  const filled: FieldsSummary = { username: false, password: false, oneTimeCode: false };
  if (fields.username && request.username !== undefined) {
    fillField(fields.username, request.username);
    filled.username = true;
  }
  if (fields.password && request.password !== undefined) {
    fillField(fields.password, request.password);
    filled.password = true;
  }
  if (request.oneTimeCode !== undefined) filled.oneTimeCode = fillOneTimeCode(fields, request.oneTimeCode);
  // Drop the values from the message object (the caller holds no other reference).
  delete request.password;
  delete request.oneTimeCode;
  if (!filled.username && !filled.password && !filled.oneTimeCode) return { type: 'refused', reason: 'no-fields' };
  return { type: 'filled', filled };
}
