/**
 * The service worker: the one part of the extension that will talk to the Gatehouse server and hold the
 * session. What it keeps (the Gatehouse address now; the session and device secret with the connect
 * flow) lives in chrome.storage.session only: memory, cleared when the browser closes, and readable by
 * the extension's own pages but not by content scripts (which run inside web pages).
 */
import { parseGatehouseAddress } from './lib/address.js';
import {
  isFieldsFoundReport,
  isPopupRequest,
  type FieldsFoundReport,
  type PopupRequest,
  type PopupResponse,
  type Status,
} from './lib/messages.js';

const ADDRESS_KEY = 'gatehouseAddress';

// Content scripts must not read the session storage. TRUSTED_CONTEXTS is Chrome's default; saying it
// here keeps it so if the default ever changes.
void chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });

/**
 * The login fields each frame of each tab last reported (by tab id, then frame id), with the frame's
 * URL as the browser gave it (not as the page claims). Fill will pick its frames from here.
 */
const framesWithFields = new Map<number, Map<number, { url: string; report: FieldsFoundReport }>>();

chrome.tabs.onRemoved.addListener((tabId) => framesWithFields.delete(tabId));

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  // Only the extension's own pages (the popup) get answers; content scripts (in web pages) only report.
  const fromExtensionPage = sender.url?.startsWith(chrome.runtime.getURL('')) === true;
  if (!fromExtensionPage) {
    if (sender.tab && isFieldsFoundReport(message)) recordFields(sender, message);
    return false;
  }
  if (!isPopupRequest(message)) return false;
  answer(message).then(sendResponse, (error: unknown) =>
    sendResponse({
      type: 'error',
      message: error instanceof Error ? error.message : 'Something went wrong.',
    } satisfies PopupResponse),
  );
  return true; // The answer comes asynchronously.
});

async function answer(request: PopupRequest): Promise<PopupResponse> {
  switch (request.type) {
    case 'getStatus':
      return { type: 'status', status: await status() };
    case 'setAddress': {
      const parsed = parseGatehouseAddress(request.address);
      if (!parsed.ok) return { type: 'error', message: parsed.error };
      await chrome.storage.session.set({ [ADDRESS_KEY]: parsed.origin });
      return { type: 'status', status: await status() };
    }
    case 'forgetAddress':
      await chrome.storage.session.remove(ADDRESS_KEY);
      return { type: 'status', status: await status() };
  }
}

async function status(): Promise<Status> {
  const stored = await chrome.storage.session.get(ADDRESS_KEY);
  const address = stored[ADDRESS_KEY];
  return { address: typeof address === 'string' ? address : null, connected: false };
}

function recordFields(sender: chrome.runtime.MessageSender, report: FieldsFoundReport): void {
  const tabId = sender.tab?.id;
  const frameId = sender.frameId;
  if (tabId === undefined || frameId === undefined || !sender.url) return;
  let frames = framesWithFields.get(tabId);
  if (!frames) framesWithFields.set(tabId, (frames = new Map()));
  const { username, password, oneTimeCode } = report.fields;
  if (username || password || oneTimeCode) frames.set(frameId, { url: sender.url, report });
  else frames.delete(frameId);
}
