/**
 * The service worker: the one part of the extension that talks to the Gatehouse server and holds the
 * session. What it keeps (the Gatehouse address, the connect flow while it runs, the session and device
 * secret, a two-step login carried on to its next page) lives in chrome.storage.session only: memory,
 * cleared when the browser closes, and readable by the extension's own pages but not by content scripts
 * (which run inside web pages). A password is asked for at the moment of filling, handed to the frames
 * that fill it, and not kept: never stored, logged, shown or put on the clipboard.
 */
import { parseGatehouseAddress } from './lib/address.js';
import { afterPoll, startFlow, type ConnectFlow, type Grant, type PollAnswer } from './lib/connect.js';
import {
  accountsForPage,
  badgeText,
  choosePageTab,
  continuationAfterFill,
  continuationApplies,
  fillNeeds,
  framesToFill,
  isWebPage,
  pageContinuesLogin,
  type Continuation,
  type DetectedFrame,
  type FillStep,
  type ListedAccount,
} from './lib/filling.js';
import {
  isDetectResponse,
  isFillResponse,
  isPopupRequest,
  type ChangedNotification,
  type FieldsSummary,
  type FillRequest,
  type Notice,
  type PopupRequest,
  type PopupResponse,
  type Status,
} from './lib/messages.js';
import { problemMessage, readProblem, sessionEndMessage, sessionEndReason } from './lib/problems.js';

const ADDRESS_KEY = 'gatehouseAddress';
const SESSION_KEY = 'gatehouseSession';
const FLOW_KEY = 'gatehouseConnect';
const NOTICE_KEY = 'gatehouseNotice';
const CONTINUATION_KEY = 'gatehouseContinuation';
const POLL_ALARM = 'gatehouse-connect-poll';
/** How long the account list is reused for the icon's count (the popup always fetches it afresh). */
const ACCOUNTS_CACHE_MS = 30_000;
const UNREACHABLE = 'Gatehouse cannot be reached. Check your connection and try again.';

// Content scripts must not read the session storage. TRUSTED_CONTEXTS is Chrome's default; saying it
// here keeps it so if the default ever changes.
void chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
void chrome.action.setBadgeBackgroundColor({ color: '#1971c2' });

/** An error the popup shows as it is. */
class Refusal extends Error {}

// ---------------------------------------------------------------------------------------------------
// Storage (chrome.storage.session only)

async function read<T>(key: string): Promise<T | null> {
  const stored = await chrome.storage.session.get(key);
  return (stored[key] as T | undefined) ?? null;
}

async function write(key: string, value: unknown): Promise<void> {
  if (value === null || value === undefined) await chrome.storage.session.remove(key);
  else await chrome.storage.session.set({ [key]: value });
}

const readAddress = () => read<string>(ADDRESS_KEY);
const readSession = () => read<Grant>(SESSION_KEY);

/** Tells open popups to ask for the status again (nobody listening is fine). */
function notifyPopups(): void {
  chrome.runtime.sendMessage({ type: 'changed' } satisfies ChangedNotification).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------
// Talking to the server

interface Answer {
  status: number;
  body: unknown;
}

/**
 * One request to the server: JSON, no cookies (the extension's session is its bearer token), and the
 * device secret in its header. Throws only when the server cannot be reached.
 */
async function send(
  address: string,
  path: string,
  options: { method?: 'GET' | 'POST'; body?: unknown; session?: Grant | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.session) {
    headers.authorization = `Bearer ${options.session.sessionToken}`;
    headers['x-gatehouse-device'] = options.session.deviceSecret;
  }
  const response = await fetch(`${address}/api/v1${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'omit',
    cache: 'no-store',
    redirect: 'error',
  });
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json().catch(() => null) : null;
  return { status: response.status, body };
}

/**
 * A request in the extension's session. A 401 ends the session here too (the server ended it: signed
 * out, device removed, time-out…), keeping the server's reason and words for the popup.
 */
async function authorized(path: string, method: 'GET' | 'POST' = 'GET', body?: unknown): Promise<unknown> {
  const [address, session] = await Promise.all([readAddress(), readSession()]);
  if (!address || !session) throw new Refusal('This browser is not connected to Gatehouse.');
  let answer: Answer;
  try {
    answer = await send(address, path, { method, body, session });
  } catch {
    throw new Refusal(UNREACHABLE);
  }
  if (answer.status === 401) {
    const problem = readProblem(answer.body);
    await endSession(session, {
      kind: 'ended',
      message: sessionEndMessage(problem),
      reason: sessionEndReason(problem),
    });
    throw new Refusal(sessionEndMessage(problem));
  }
  if (answer.status >= 400) throw new Refusal(problemMessage(answer.status, readProblem(answer.body)));
  return answer.body;
}

/** Forgets the session (if it is still the one that ended), and everything that came with it. */
async function endSession(ended: Grant, notice: Notice): Promise<void> {
  const current = await readSession();
  if (current && current.sessionToken !== ended.sessionToken) return;
  await chrome.storage.session.remove([SESSION_KEY, CONTINUATION_KEY]);
  await write(NOTICE_KEY, notice);
  accountsCache = null;
  await refreshAllBadges();
  notifyPopups();
}

// ---------------------------------------------------------------------------------------------------
// Connecting (RFC 8628 device authorization, as the server adapts it)

async function connect(): Promise<PopupResponse> {
  const address = await readAddress();
  if (!address) return { type: 'error', message: 'Enter your Gatehouse address first.' };
  if (await readSession()) return { type: 'status', status: await status() };
  let answer: Answer;
  try {
    answer = await send(address, '/connect/start', { method: 'POST', body: { kind: 'extension' } });
  } catch {
    return { type: 'error', message: UNREACHABLE };
  }
  if (answer.status !== 200) {
    await write(NOTICE_KEY, {
      kind: 'refused',
      message: problemMessage(answer.status, readProblem(answer.body)),
    } satisfies Notice);
    await write(FLOW_KEY, null);
    return { type: 'status', status: await status() };
  }
  const flow = startFlow(answer.body, Date.now());
  // The approval page must be Gatehouse's own: the extension opens it for the person.
  if (!flow || !sameOrigin(flow.verificationUriComplete, address) || !sameOrigin(flow.verificationUri, address)) {
    return { type: 'error', message: 'Gatehouse sent an answer this extension does not understand.' };
  }
  await write(NOTICE_KEY, null);
  await write(FLOW_KEY, flow);
  await schedulePoll();
  return { type: 'status', status: await status() };
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

let pollTimer: ReturnType<typeof setTimeout> | undefined;
let polling = false;

/**
 * Polls when the flow's next poll is due: a timer while this worker lives (each poll's storage write
 * keeps it alive), and an alarm to wake it should the browser stop it meanwhile.
 */
async function schedulePoll(): Promise<void> {
  clearTimeout(pollTimer);
  const flow = await read<ConnectFlow>(FLOW_KEY);
  if (!flow) {
    await chrome.alarms.clear(POLL_ALARM);
    return;
  }
  pollTimer = setTimeout(() => void pollOnce(), Math.max(0, flow.nextPollAt - Date.now()));
  await chrome.alarms.create(POLL_ALARM, { when: Math.max(flow.nextPollAt, Date.now() + 30_000) });
}

async function pollOnce(): Promise<void> {
  if (polling) return;
  polling = true;
  try {
    const [flow, address] = await Promise.all([read<ConnectFlow>(FLOW_KEY), readAddress()]);
    if (!flow || !address || Date.now() < flow.nextPollAt) return;
    let answer: PollAnswer;
    try {
      answer = await send(address, '/connect/token', { method: 'POST', body: { deviceCode: flow.deviceCode } });
    } catch {
      answer = { networkError: true };
    }
    // Cancelled, or started anew, while the answer was on its way.
    if ((await read<ConnectFlow>(FLOW_KEY))?.deviceCode !== flow.deviceCode) return;
    const outcome = afterPoll(flow, answer, Date.now());
    if (outcome.kind === 'pending') await write(FLOW_KEY, outcome.flow);
    else if (outcome.kind === 'stopped') {
      await write(FLOW_KEY, null);
      await write(NOTICE_KEY, outcome.notice);
    } else {
      await write(SESSION_KEY, outcome.grant);
      await write(FLOW_KEY, null);
      await write(NOTICE_KEY, null);
      accountsCache = null;
      void refreshAllBadges();
    }
    if (outcome.kind !== 'pending' || outcome.flow.problem !== flow.problem) notifyPopups();
  } finally {
    polling = false;
    await schedulePoll();
  }
}

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === POLL_ALARM) void pollOnce();
});

// A worker started anew (the browser stopped the last one) picks up a flow that is under way.
void schedulePoll();

// ---------------------------------------------------------------------------------------------------
// The device, when it waits for the code mailed to the person

function deviceIn(body: unknown): { status: string; name?: string } | null {
  const record = body as { device?: unknown; status?: unknown } | null;
  const device = (record && typeof record.device === 'object' ? record.device : record) as {
    status?: unknown;
    name?: unknown;
  } | null;
  if (!device || typeof device.status !== 'string') return null;
  return { status: device.status, ...(typeof device.name === 'string' ? { name: device.name } : {}) };
}

async function updateDevice(body: unknown): Promise<void> {
  const device = deviceIn(body);
  const session = await readSession();
  if (!device || !session) return;
  await write(SESSION_KEY, { ...session, device: { ...session.device, ...device } });
}

async function refreshDevice(): Promise<void> {
  try {
    await updateDevice(await authorized('/devices/current'));
  } catch {
    // The popup shows what it has; a session that ended was forgotten by authorized().
  }
}

// ---------------------------------------------------------------------------------------------------
// Accounts and the icon's count

let accountsCache: { token: string; at: number; accounts: ListedAccount[] } | null = null;
let accountsLoading: Promise<ListedAccount[]> | null = null;

async function listAccounts(fresh: boolean): Promise<ListedAccount[]> {
  const session = await readSession();
  if (!session) return [];
  if (!fresh && accountsCache?.token === session.sessionToken && Date.now() - accountsCache.at < ACCOUNTS_CACHE_MS) {
    return accountsCache.accounts;
  }
  if (!fresh && accountsLoading) return accountsLoading;
  const loading = (async () => {
    const body = (await authorized('/accounts')) as { accounts?: unknown } | null;
    const accounts = Array.isArray(body?.accounts) ? (body.accounts as ListedAccount[]) : [];
    accountsCache = { token: session.sessionToken, at: Date.now(), accounts };
    return accounts;
  })();
  accountsLoading = loading;
  try {
    return await loading;
  } finally {
    if (accountsLoading === loading) accountsLoading = null;
  }
}

async function updateBadge(tabId: number, url: string | undefined): Promise<void> {
  let text = '';
  if (isWebPage(url) && (await readSession())) {
    try {
      text = badgeText(accountsForPage(await listAccounts(false), url).length);
    } catch {
      text = '';
    }
  }
  await chrome.action.setBadgeText({ tabId, text }).catch(() => undefined);
}

async function refreshAllBadges(): Promise<void> {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map((tab) => (tab.id === undefined ? undefined : updateBadge(tab.id, tab.url))));
}

chrome.tabs.onActivated.addListener(({ tabId }) => {
  chrome.tabs.get(tabId).then(
    (tab) => updateBadge(tabId, tab.url),
    () => undefined,
  );
});

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url !== undefined || change.status === 'complete') void updateBadge(tabId, tab.url);
});

chrome.tabs.onRemoved.addListener((tabId) => {
  void read<Continuation>(CONTINUATION_KEY).then((continuation) =>
    continuation?.tabId === tabId ? write(CONTINUATION_KEY, null) : undefined,
  );
});

/** The page the popup is about (see choosePageTab). */
async function pageTab(): Promise<{ id: number; url: string } | null> {
  const [[active], all] = await Promise.all([
    chrome.tabs.query({ active: true, lastFocusedWindow: true }),
    chrome.tabs.query({}),
  ]);
  const tab = choosePageTab(active, all);
  return tab?.id !== undefined && isWebPage(tab.url) ? { id: tab.id, url: tab.url } : null;
}

async function pageAccounts(): Promise<PopupResponse> {
  const accounts = await listAccounts(true);
  const tab = await pageTab();
  if (!tab) return { type: 'accounts', page: null, accounts: [] };
  await updateBadge(tab.id, tab.url);
  return {
    type: 'accounts',
    page: { tabId: tab.id, host: new URL(tab.url).host },
    accounts: accountsForPage(accounts, tab.url).map((account) => ({
      id: account.id,
      name: account.name,
      appName: account.appName,
      username: account.username ?? null,
      role: account.role,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------
// Filling

/** Asks every frame of the tab which login fields it shows (frames without the content script say nothing). */
async function detectFrames(tabId: number): Promise<DetectedFrame[]> {
  const frames = (await chrome.webNavigation.getAllFrames({ tabId }).catch(() => null)) ?? [];
  const detected = await Promise.all(
    frames
      .filter((frame) => isWebPage(frame.url))
      .map(async (frame): Promise<DetectedFrame | null> => {
        const answer: unknown = await chrome.tabs
          .sendMessage(tabId, { type: 'detect' }, { frameId: frame.frameId })
          .catch(() => null);
        if (!isDetectResponse(answer)) return null;
        return {
          frameId: frame.frameId,
          origin: answer.origin,
          fields: answer.fields,
          ancestorOrigins: answer.ancestorOrigins,
        };
      }),
  );
  return detected.filter((frame): frame is DetectedFrame => frame !== null);
}

/**
 * A page that just finished loading may not have its content script yet (it starts once the page is
 * idle): asks again a few times, briefly, until the top frame answers.
 */
async function detectFramesOfNewPage(tabId: number): Promise<DetectedFrame[]> {
  for (let attempt = 0; ; attempt++) {
    const frames = await detectFrames(tabId);
    if (frames.some((frame) => frame.frameId === 0) || attempt >= 12) return frames;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function describeFill(filled: FieldsSummary, next: Continuation['next'] | null): string {
  const parts = [
    filled.username ? 'username' : null,
    filled.password ? 'password' : null,
    filled.oneTimeCode ? 'one-time code' : null,
  ].filter((part): part is string => part !== null);
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  const then =
    next === 'password'
      ? ' The password follows when the next page asks for it.'
      : next === 'one-time-code'
        ? ' The one-time code follows when the next page asks for it.'
        : '';
  return `Filled the ${listed}.${then}`;
}

/**
 * Fills an account into the tab's frames that match it. The username and password are asked for now
 * (only when the page shows a field for them) and go to those frames only; nothing of them is kept.
 */
async function fill(accountId: string, tabId: number, step: FillStep): Promise<string> {
  const account = (await listAccounts(step === 'all')).find((listed) => listed.id === accountId);
  if (!account) throw new Refusal('This account is no longer shared with you.');
  if (!account.loginUrl) throw new Refusal(`${account.name} has no login URL, so no page is its own.`);
  const tab = await chrome.tabs.get(tabId).catch(() => null);
  if (!tab || !isWebPage(tab.url)) throw new Refusal('The tab is no longer open on a web page.');

  const frames = await detectFrames(tabId);
  const targets = framesToFill(account.loginUrl, frames);
  if (targets.length === 0) {
    if (frames.some((frame) => frame.fields.username || frame.fields.password || frame.fields.oneTimeCode)) {
      throw new Refusal(`This page is not on the site of ${account.name}: nothing was filled.`);
    }
    throw new Refusal('No login form was found on this page.');
  }
  const needs = fillNeeds(targets, step, account.hasTotp);
  const filled = await fillFrames(tabId, targets, account, needs);
  if (!filled.username && !filled.password && !filled.oneTimeCode) {
    throw new Refusal('Nothing could be filled on this page.');
  }
  const continuation = continuationAfterFill({
    tabId,
    accountId,
    loginUrl: account.loginUrl,
    pageUrl: tab.url,
    filled,
    hasTotp: account.hasTotp,
    now: Date.now(),
  });
  await write(CONTINUATION_KEY, continuation);
  return describeFill(filled, continuation?.next ?? null);
}

/** Gets the values from the server and hands each frame the ones it has fields for. */
async function fillFrames(
  tabId: number,
  targets: DetectedFrame[],
  account: ListedAccount,
  needs: ReturnType<typeof fillNeeds>,
): Promise<FieldsSummary> {
  let username: string | null | undefined;
  let password: string | undefined;
  if (needs.password || (needs.usernameOnly && account.username === undefined)) {
    const delivered = (await authorized(`/accounts/${encodeURIComponent(account.id)}/autofill`, 'POST')) as {
      username?: string | null;
      password?: string;
    } | null;
    username = delivered?.username;
    if (needs.password) password = delivered?.password;
  } else if (needs.usernameOnly) username = account.username;
  let oneTimeCode: string | undefined;
  if (needs.oneTimeCode) {
    const issued = (await authorized(`/accounts/${encodeURIComponent(account.id)}/totp-code`, 'POST')) as {
      code?: string;
    } | null;
    oneTimeCode = issued?.code;
  }

  const filled: FieldsSummary = { username: false, password: false, oneTimeCode: false };
  try {
    for (const frame of targets) {
      const request: FillRequest = { type: 'fill', origin: frame.origin };
      if (frame.fields.username && username) request.username = username;
      if (frame.fields.password && password !== undefined) request.password = password;
      if (frame.fields.oneTimeCode && oneTimeCode) request.oneTimeCode = oneTimeCode;
      if (request.username === undefined && request.password === undefined && request.oneTimeCode === undefined) {
        continue;
      }
      const answer: unknown = await chrome.tabs
        .sendMessage(tabId, request, { frameId: frame.frameId })
        .catch(() => null);
      delete request.password;
      if (isFillResponse(answer) && answer.type === 'filled') {
        filled.username ||= answer.filled.username;
        filled.password ||= answer.filled.password;
        filled.oneTimeCode ||= answer.filled.oneTimeCode;
      }
    }
  } finally {
    // Dropped once filled: nothing of the password outlives this call.
    password = undefined;
  }
  return filled;
}

/** A login carried on: the tab's next page on the same site shows the password or one-time-code field. */
const carryingOn = new Set<number>();

chrome.webNavigation.onCompleted.addListener((details) => {
  void carryOn(details.tabId, details.url);
});

async function carryOn(tabId: number, url: string): Promise<void> {
  const continuation = await read<Continuation>(CONTINUATION_KEY);
  if (!continuation || continuation.tabId !== tabId) return;
  if (Date.now() >= continuation.until) {
    await write(CONTINUATION_KEY, null);
    return;
  }
  if (!continuationApplies(continuation, tabId, url, Date.now()) || carryingOn.has(tabId)) return;
  carryingOn.add(tabId);
  try {
    const frames = framesToFill(continuation.loginUrl, await detectFramesOfNewPage(tabId));
    if (!pageContinuesLogin(continuation, frames)) return;
    await fill(continuation.accountId, tabId, continuation.next);
  } catch {
    // A session that ended was forgotten already; otherwise the login is not carried on any further.
    await write(CONTINUATION_KEY, null);
  } finally {
    carryingOn.delete(tabId);
  }
}

// ---------------------------------------------------------------------------------------------------
// The popup's requests

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  // Only the extension's own pages (the popup) get answers, never a content script (in a web page).
  if (!sender.url?.startsWith(chrome.runtime.getURL('')) || !isPopupRequest(message)) return false;
  answer(message).then(sendResponse, (error: unknown) =>
    sendResponse({
      type: 'error',
      message: error instanceof Refusal ? error.message : 'Something went wrong. Try again.',
    } satisfies PopupResponse),
  );
  return true; // The answer comes asynchronously.
});

async function answer(request: PopupRequest): Promise<PopupResponse> {
  switch (request.type) {
    case 'getStatus': {
      const session = await readSession();
      if (session && session.device.status !== 'approved') await refreshDevice();
      if (await read<ConnectFlow>(FLOW_KEY)) void pollOnce();
      return { type: 'status', status: await status() };
    }
    case 'setAddress': {
      if (await readSession()) return { type: 'error', message: 'Sign out before changing the address.' };
      const parsed = parseGatehouseAddress(request.address);
      if (!parsed.ok) return { type: 'error', message: parsed.error };
      await chrome.storage.session.set({ [ADDRESS_KEY]: parsed.origin });
      return { type: 'status', status: await status() };
    }
    case 'forgetAddress':
      if (await readSession()) return { type: 'error', message: 'Sign out before changing the address.' };
      await chrome.storage.session.remove([ADDRESS_KEY, FLOW_KEY, NOTICE_KEY]);
      await schedulePoll();
      return { type: 'status', status: await status() };
    case 'connect':
      return connect();
    case 'cancelConnect':
      await write(FLOW_KEY, null);
      await schedulePoll();
      return { type: 'status', status: await status() };
    case 'openApproval': {
      const flow = await read<ConnectFlow>(FLOW_KEY);
      if (!flow) return { type: 'error', message: 'The code expired. Connect again to get a new one.' };
      await chrome.tabs.create({ url: flow.verificationUriComplete });
      return { type: 'status', status: await status() };
    }
    case 'verifyDevice':
      await updateDevice(await authorized('/devices/current/verify', 'POST', { code: request.code.trim() }));
      accountsCache = null;
      void refreshAllBadges();
      return { type: 'status', status: await status() };
    case 'sendDeviceCode':
      await updateDevice(await authorized('/devices/current/code', 'POST'));
      return { type: 'done', message: 'A new code is on its way to your email.' };
    case 'signOut':
      return signOut();
    case 'pageAccounts':
      if (!(await readSession())) return { type: 'error', message: 'This browser is not connected to Gatehouse.' };
      return pageAccounts();
    case 'fill':
      return { type: 'done', message: await fill(request.accountId, request.tabId, 'all') };
  }
}

async function signOut(): Promise<PopupResponse> {
  const session = await readSession();
  if (!session) return { type: 'status', status: await status() };
  let message = 'You signed out. Connect again to use your accounts here.';
  try {
    await authorized('/auth/sign-out', 'POST');
  } catch (error) {
    // Ended already (the 401 was handled), or unreachable: it is forgotten here either way.
    if (error instanceof Refusal && error.message === UNREACHABLE) {
      message = 'You signed out here; Gatehouse could not be reached, so the session ends there on its own.';
    }
  }
  await endSession(session, { kind: 'signed-out', message });
  return { type: 'status', status: await status() };
}

async function status(): Promise<Status> {
  const [address, session, flow, notice] = await Promise.all([
    readAddress(),
    readSession(),
    read<ConnectFlow>(FLOW_KEY),
    read<Notice>(NOTICE_KEY),
  ]);
  return {
    address,
    connected: session !== null,
    connecting: flow
      ? { userCode: flow.userCode, verificationUri: flow.verificationUriComplete, problem: flow.problem ?? null }
      : null,
    session: session
      ? {
          username: session.user.username,
          displayName: session.user.displayName,
          workspaceName: session.workspace.name,
          deviceName: session.device.name,
          deviceStatus: session.device.status,
        }
      : null,
    notice,
  };
}
