/**
 * The popup: asks for the Gatehouse address until one is set, then connects the browser (a short code
 * approved in Gatehouse), and once connected lists the accounts for the page with **Fill**. Everything it
 * knows comes from the service worker; it stores nothing itself, and never receives a password.
 */
import {
  isChangedNotification,
  type PageAccount,
  type PopupRequest,
  type PopupResponse,
  type Status,
} from './lib/messages.js';

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
const notice = element<HTMLParagraphElement>('notice');
const connection = element<HTMLParagraphElement>('connection');
const connectButton = element<HTMLButtonElement>('connect');
const changeAddress = element<HTMLButtonElement>('change-address');
const connectingView = element<HTMLElement>('connecting-view');
const userCode = element<HTMLOutputElement>('user-code');
const openApproval = element<HTMLButtonElement>('open-approval');
const waiting = element<HTMLParagraphElement>('waiting');
const cancelConnect = element<HTMLButtonElement>('cancel-connect');
const verifyView = element<HTMLElement>('verify-view');
const verifyWho = element<HTMLParagraphElement>('verify-who');
const verifyForm = element<HTMLFormElement>('verify-form');
const deviceCode = element<HTMLInputElement>('device-code');
const verifyError = element<HTMLParagraphElement>('verify-error');
const sendCode = element<HTMLButtonElement>('send-code');
const verifyStatus = element<HTMLParagraphElement>('verify-status');
const connectedView = element<HTMLElement>('connected-view');
const who = element<HTMLParagraphElement>('who');
const accountsHeading = element<HTMLHeadingElement>('accounts-heading');
const accountsNote = element<HTMLParagraphElement>('accounts-note');
const accountsList = element<HTMLUListElement>('accounts');
const fillError = element<HTMLParagraphElement>('fill-error');
const fillResult = element<HTMLParagraphElement>('fill-result');
const signOutRow = element<HTMLDivElement>('sign-out-row');
const signOut = element<HTMLButtonElement>('sign-out');

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

function showMessage(target: HTMLElement, message: string | null): void {
  target.textContent = message ?? '';
  target.hidden = message === null;
}

/** Which view shows: the one the last status asked for. */
type View = 'address' | 'disconnected' | 'connecting' | 'verify' | 'connected';
let view: View | null = null;

function showView(next: View): void {
  loading.hidden = true;
  addressForm.hidden = next !== 'address';
  statusView.hidden = next !== 'disconnected';
  connectingView.hidden = next !== 'connecting';
  verifyView.hidden = next !== 'verify';
  connectedView.hidden = next !== 'connected';
  signOutRow.hidden = next !== 'verify' && next !== 'connected';
  const entered = view !== next;
  view = next;
  if (entered && next === 'address') addressInput.focus();
  if (entered && next === 'verify') deviceCode.focus();
  if (entered && next === 'connected') void loadAccounts();
}

function show(status: Status): void {
  if (status.address === null) {
    showView('address');
    return;
  }
  addressError.hidden = true;
  addressInput.removeAttribute('aria-invalid');
  currentAddress.textContent = status.address;

  if (status.connecting) {
    userCode.textContent = status.connecting.userCode;
    waiting.textContent = status.connecting.problem ?? 'Waiting for your approval in Gatehouse…';
    showView('connecting');
    return;
  }
  if (status.session) {
    const { displayName, username, workspaceName, deviceName } = status.session;
    const person = displayName && displayName !== username ? `${displayName} (${username})` : username;
    who.textContent = `Connected as ${person} to ${workspaceName}.`;
    if (status.session.deviceStatus === 'approved') {
      showView('connected');
    } else {
      verifyWho.textContent =
        `“${deviceName}” was approved from a session that is not trusted. Before Gatehouse fills ` +
        `anything in, confirm it is yours with the code emailed to ${person}.`;
      showView('verify');
    }
    return;
  }
  showMessage(notice, status.notice?.message ?? null);
  connection.textContent = 'Not connected. Connect this browser to fill in the accounts shared with you.';
  connectButton.textContent = status.notice ? 'Connect again' : 'Connect';
  showView('disconnected');
}

function showAddressError(message: string): void {
  showView('address');
  addressError.textContent = message;
  addressError.hidden = false;
  addressInput.setAttribute('aria-invalid', 'true');
}

function handle(response: PopupResponse): void {
  if (response.type === 'status') show(response.status);
  else if (response.type === 'error') {
    if (view === null || view === 'address') showAddressError(response.message);
    else if (view === 'disconnected') showMessage(notice, response.message);
    else if (view === 'verify') showMessage(verifyError, response.message);
    else if (view === 'connecting') waiting.textContent = response.message;
    else showMessage(fillError, response.message);
  }
}

async function refresh(): Promise<void> {
  handle(await ask({ type: 'getStatus' }));
}

const ROLE_NAMES: Record<string, string> = { owner: 'Owner', manager: 'Manager', collaborator: 'Collaborator' };

function accountItem(account: PageAccount, tabId: number): HTMLLIElement {
  const item = document.createElement('li');
  const text = document.createElement('div');
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = account.name;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = [account.username, ROLE_NAMES[account.role] ?? account.role].filter(Boolean).join(' · ');
  text.append(name, meta);
  const fill = document.createElement('button');
  fill.type = 'button';
  fill.className = 'primary';
  fill.textContent = 'Fill';
  fill.setAttribute('aria-label', `Fill ${account.name}`);
  fill.addEventListener('click', () => {
    fill.disabled = true;
    showMessage(fillError, null);
    fillResult.textContent = '';
    void ask({ type: 'fill', accountId: account.id, tabId }).then((response) => {
      fill.disabled = false;
      if (response.type === 'done') fillResult.textContent = response.message;
      else if (response.type === 'error') {
        showMessage(fillError, response.message);
        // The account may be gone, or the session ended: show what is true now.
        void refresh().then(() => (view === 'connected' ? loadAccounts() : undefined));
      }
    });
  });
  item.append(text, fill);
  return item;
}

let accountsRequest = 0;

/** The accounts for the page, asked afresh each time (an account no longer shared shows no more). */
async function loadAccounts(): Promise<void> {
  const request = ++accountsRequest;
  const response = await ask({ type: 'pageAccounts' });
  if (request !== accountsRequest) return;
  if (response.type === 'error') {
    showMessage(fillError, response.message);
    return;
  }
  if (response.type !== 'accounts') return;
  accountsList.replaceChildren();
  if (!response.page) {
    accountsHeading.textContent = 'Accounts for this page';
    accountsNote.textContent = 'Open the login page of an account, then this window again.';
    accountsNote.hidden = false;
    return;
  }
  const { tabId, host } = response.page;
  accountsHeading.textContent = `Accounts for ${host}`;
  accountsNote.textContent =
    response.accounts.length === 0 ? 'None of the accounts shared with you logs in on this site.' : '';
  accountsNote.hidden = response.accounts.length > 0;
  accountsList.append(...response.accounts.map((account) => accountItem(account, tabId)));
}

addressForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void ask({ type: 'setAddress', address: addressInput.value }).then((response) => {
    if (response.type === 'error') showAddressError(response.message);
    else handle(response);
  });
});

changeAddress.addEventListener('click', () => {
  void ask({ type: 'forgetAddress' }).then((response) => {
    if (response.type === 'status') addressInput.value = currentAddress.textContent ?? '';
    handle(response);
  });
});

connectButton.addEventListener('click', () => {
  connectButton.disabled = true;
  void ask({ type: 'connect' }).then((response) => {
    connectButton.disabled = false;
    handle(response);
  });
});

openApproval.addEventListener('click', () => void ask({ type: 'openApproval' }).then(handle));
cancelConnect.addEventListener('click', () => void ask({ type: 'cancelConnect' }).then(handle));

verifyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = deviceCode.value.trim();
  if (!/^\d{6}$/.test(code)) {
    showMessage(verifyError, 'Enter the 6-digit code from the email.');
    deviceCode.setAttribute('aria-invalid', 'true');
    return;
  }
  showMessage(verifyError, null);
  deviceCode.removeAttribute('aria-invalid');
  void ask({ type: 'verifyDevice', code }).then(handle);
});

sendCode.addEventListener('click', () => {
  showMessage(verifyError, null);
  void ask({ type: 'sendDeviceCode' }).then((response) => {
    if (response.type === 'done') verifyStatus.textContent = response.message;
    else handle(response);
  });
});

signOut.addEventListener('click', () => {
  signOut.disabled = true;
  void ask({ type: 'signOut' }).then((response) => {
    signOut.disabled = false;
    handle(response);
  });
});

// The service worker says when something changed (the code approved, denied or expired, the session
// ended): ask for the status again.
chrome.runtime.onMessage.addListener((message: unknown, sender) => {
  if (sender.id === chrome.runtime.id && isChangedNotification(message)) void refresh();
  return false;
});

void refresh();
