/**
 * The service worker: the one part of the extension that will talk to the Gatehouse server and hold the
 * session. What it keeps (the Gatehouse address now; the session and device secret with the connect
 * flow) lives in chrome.storage.session only: memory, cleared when the browser closes, and readable by
 * the extension's own pages but not by content scripts (which run inside web pages).
 */
import { parseGatehouseAddress } from './lib/address.js';
import { isPopupRequest, type PopupRequest, type PopupResponse, type Status } from './lib/messages.js';

const ADDRESS_KEY = 'gatehouseAddress';

// Content scripts must not read the session storage. TRUSTED_CONTEXTS is Chrome's default; saying it
// here keeps it so if the default ever changes.
void chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  // Only the extension's own pages (the popup) get answers, never a content script (in a web page).
  if (!sender.url?.startsWith(chrome.runtime.getURL('')) || !isPopupRequest(message)) return false;
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
