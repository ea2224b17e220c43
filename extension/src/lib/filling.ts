/**
 * The service worker's decisions around **Fill**, kept pure: which tab the popup is about, which accounts
 * match it, which frames get the values, what to ask the server for, and how a login that asks for the
 * username and the password (and then a one-time code) on successive pages is carried on.
 */
import { accountMatchesPage, frameMatchesAccount, registrableDomain } from './domains.js';
import type { FieldsSummary } from './messages.js';

/** An account as `GET /api/v1/accounts` lists it (no secret in it). */
export interface ListedAccount {
  id: string;
  name: string;
  appName: string;
  loginUrl: string | null;
  username?: string | null;
  role: string;
  hasTotp: boolean;
}

/** The accounts whose login URL matches the page, in the server's order. */
export function accountsForPage<T extends Pick<ListedAccount, 'loginUrl'>>(
  accounts: readonly T[],
  pageUrl: string,
): T[] {
  return accounts.filter((account) => account.loginUrl !== null && accountMatchesPage(account.loginUrl, pageUrl));
}

export function isWebPage(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/** The parts of a tab the choice needs (chrome.tabs.Tab has them all). */
export interface TabInfo {
  id?: number;
  url?: string;
  active: boolean;
  lastAccessed?: number;
}

/**
 * The page the popup is about: the active tab of the last focused window; when that is not a web page
 * (the popup opened as a tab of its own, a browser page), the web page used most recently.
 */
export function choosePageTab(activeTab: TabInfo | undefined, allTabs: readonly TabInfo[]): TabInfo | null {
  if (activeTab?.id !== undefined && isWebPage(activeTab.url)) return activeTab;
  const candidates = allTabs.filter((tab) => tab.id !== undefined && isWebPage(tab.url));
  if (candidates.length === 0) return null;
  return candidates.reduce((best, tab) => ((tab.lastAccessed ?? 0) > (best.lastAccessed ?? 0) ? tab : best));
}

/** A frame's answer to `detect`, with the frame's id. */
export interface DetectedFrame {
  frameId: number;
  origin: string;
  fields: FieldsSummary;
  ancestorOrigins: string[];
}

const hasFields = (fields: FieldsSummary) => fields.username || fields.password || fields.oneTimeCode;

/**
 * The frames an account may be filled into: login fields shown, and the frame and every page around it on
 * the account's site (frameMatchesAccount: registrable domain, http only for an http account).
 */
export function framesToFill(loginUrl: string, frames: readonly DetectedFrame[]): DetectedFrame[] {
  return frames.filter(
    (frame) => hasFields(frame.fields) && frameMatchesAccount(loginUrl, frame.origin, frame.ancestorOrigins),
  );
}

/** Which part of a login a fill is for: all of it (the popup's **Fill**), or the next page of a login. */
export type FillStep = 'all' | 'password' | 'one-time-code';

/** What to ask the server for, given the frames to fill and the step. */
export interface FillNeeds {
  /** `/autofill`: a password field is shown (it also gives the username). */
  password: boolean;
  /** A username field without a password field: the username alone (the list has it, else `/autofill`). */
  usernameOnly: boolean;
  /** `/totp-code`: a one-time-code field is shown and the account has a TOTP secret. */
  oneTimeCode: boolean;
}

export function fillNeeds(frames: readonly DetectedFrame[], step: FillStep, hasTotp: boolean): FillNeeds {
  const any = (field: keyof FieldsSummary) => frames.some((frame) => frame.fields[field]);
  const password = step !== 'one-time-code' && any('password');
  return {
    password,
    usernameOnly: step === 'all' && !password && any('username'),
    oneTimeCode: hasTotp && any('oneTimeCode'),
  };
}

/** How long a two-step login is carried on to its next page. */
export const CONTINUATION_MS = 2 * 60_000;

/**
 * A login carried on to its next page (in chrome.storage.session; no secret in it): the tab, the account,
 * the site the last page was on, which step comes next, and until when.
 */
export interface Continuation {
  tabId: number;
  accountId: string;
  loginUrl: string;
  /** The registrable domain of the page filled, or its host when it has none (an IP address, localhost). */
  site: string;
  next: 'password' | 'one-time-code';
  until: number;
}

/** The registrable domain of a page, or its host (with the port) for hosts that only match exactly. */
export function siteOf(pageUrl: string): string | null {
  const domain = registrableDomain(pageUrl);
  if (domain) return domain;
  try {
    const url = new URL(pageUrl);
    return isWebPage(url.href) ? url.host : null;
  } catch {
    return null;
  }
}

/**
 * What comes after a fill: the password page when only the username was typed; the one-time-code page
 * when the password was typed and the account has a TOTP secret; nothing once the code is in.
 */
export function continuationAfterFill(input: {
  tabId: number;
  accountId: string;
  loginUrl: string;
  pageUrl: string;
  filled: FieldsSummary;
  hasTotp: boolean;
  now: number;
}): Continuation | null {
  const { filled } = input;
  const site = siteOf(input.pageUrl);
  if (!site || filled.oneTimeCode) return null;
  let next: Continuation['next'];
  if (filled.password) {
    if (!input.hasTotp) return null;
    next = 'one-time-code';
  } else if (filled.username) next = 'password';
  else return null;
  return {
    tabId: input.tabId,
    accountId: input.accountId,
    loginUrl: input.loginUrl,
    site,
    next,
    until: input.now + CONTINUATION_MS,
  };
}

/** Whether a page that finished loading in a tab carries on the login: same tab, same site, in time. */
export function continuationApplies(
  continuation: Continuation | null | undefined,
  tabId: number,
  pageUrl: string,
  now: number,
): continuation is Continuation {
  return (
    !!continuation &&
    continuation.tabId === tabId &&
    now < continuation.until &&
    siteOf(pageUrl) === continuation.site &&
    accountMatchesPage(continuation.loginUrl, pageUrl)
  );
}

/** Whether the next page of the login shows what its step fills (otherwise wait for the one after). */
export function pageContinuesLogin(continuation: Continuation, frames: readonly DetectedFrame[]): boolean {
  return frames.some(
    (frame) => frame.fields.oneTimeCode || (continuation.next === 'password' && frame.fields.password),
  );
}

/** The badge text for a number of matching accounts: empty for none. */
export function badgeText(count: number): string {
  if (count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}
