/**
 * The content script, in every frame of every http(s) page. It tells the service worker which login
 * fields its frame shows (never their values) and fills them when asked. It never logs, stores or
 * returns a value it is given, and keeps no reference to one after filling.
 *
 * Which account may be filled where is the service worker's decision (registrable domains, the frame's
 * ancestors, http); this script only checks that its frame is still at the origin that decision was made
 * for, so a frame that navigated in between fills nothing.
 */
import { fillField, findLoginFields } from './lib/forms.js';
import { isFillRequest, type FieldsSummary, type FillResponse } from './lib/messages.js';

let lastReported = JSON.stringify({ username: false, password: false, oneTimeCode: false });

function summary(): FieldsSummary {
  const fields = findLoginFields(document);
  return { username: !!fields.username, password: !!fields.password, oneTimeCode: !!fields.oneTimeCode };
}

/** Reports the frame's login fields when they change (a two-step login swaps its fields in place). */
function reportFields(): void {
  const fields = summary();
  const serialized = JSON.stringify(fields);
  if (serialized === lastReported) return;
  lastReported = serialized;
  chrome.runtime
    .sendMessage({ type: 'fieldsFound', fields, ancestorOrigins: Array.from(location.ancestorOrigins ?? []) })
    .catch(() => {
      // The service worker is restarting or the extension was reloaded: the next change reports again.
    });
}

let pending: ReturnType<typeof setTimeout> | undefined;
new MutationObserver(() => {
  clearTimeout(pending);
  pending = setTimeout(reportFields, 300);
}).observe(document.documentElement, { childList: true, subtree: true, attributes: true });
reportFields();

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id || sender.tab || !isFillRequest(message)) return false;
  sendResponse(fill(message));
  return false;
});

function fill(request: { origin: string; username?: string; password?: string; oneTimeCode?: string }): FillResponse {
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
  if (fields.oneTimeCode && request.oneTimeCode !== undefined) {
    fillField(fields.oneTimeCode, request.oneTimeCode);
    filled.oneTimeCode = true;
  }
  // Drop the values from the message object (the caller holds no other reference).
  delete request.password;
  delete request.oneTimeCode;
  if (!filled.username && !filled.password && !filled.oneTimeCode) return { type: 'refused', reason: 'no-fields' };
  return { type: 'filled', filled };
}
