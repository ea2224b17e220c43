/**
 * The popup: asks for the Gatehouse address until one is set, then shows the status. Everything it
 * knows comes from the service worker; it stores nothing itself.
 */
import type { PopupRequest, PopupResponse, Status } from './lib/messages.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The popup has no #${id}.`);
  return found as T;
}

const loading = element<HTMLParagraphElement>('loading');
const addressForm = element<HTMLFormElement>('address-form');
const addressInput = element<HTMLInputElement>('address');
const addressError = element<HTMLParagraphElement>('address-error');
const statusView = element<HTMLElement>('status-view');
const currentAddress = element<HTMLElement>('current-address');
const connection = element<HTMLParagraphElement>('connection');
const changeAddress = element<HTMLButtonElement>('change-address');

async function ask(request: PopupRequest): Promise<PopupResponse> {
  const noAnswer = {
    type: 'error',
    message: 'The extension did not answer. Close this window and open it again.',
  } as const;
  try {
    return ((await chrome.runtime.sendMessage(request)) as PopupResponse | undefined) ?? noAnswer;
  } catch {
    return noAnswer;
  }
}

function showError(message: string): void {
  addressError.textContent = message;
  addressError.hidden = false;
  addressInput.setAttribute('aria-invalid', 'true');
}

function show(status: Status): void {
  loading.hidden = true;
  if (status.address === null) {
    statusView.hidden = true;
    addressForm.hidden = false;
    addressInput.focus();
    return;
  }
  addressForm.hidden = true;
  addressError.hidden = true;
  addressInput.removeAttribute('aria-invalid');
  currentAddress.textContent = status.address;
  connection.textContent = status.connected
    ? 'Connected.'
    : 'Not connected. Connecting this browser to Gatehouse comes in a later version of the extension.';
  statusView.hidden = false;
}

function handle(response: PopupResponse): void {
  if (response.type === 'status') show(response.status);
  else {
    loading.hidden = true;
    addressForm.hidden = false;
    showError(response.message);
  }
}

addressForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void ask({ type: 'setAddress', address: addressInput.value }).then(handle);
});

changeAddress.addEventListener('click', () => {
  void ask({ type: 'forgetAddress' }).then((response) => {
    if (response.type === 'status') addressInput.value = currentAddress.textContent ?? '';
    handle(response);
  });
});

void ask({ type: 'getStatus' }).then(handle);
