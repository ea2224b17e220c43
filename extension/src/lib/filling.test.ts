import { describe, expect, it } from 'vitest';
import {
  accountsForPage,
  badgeText,
  choosePageTab,
  CONTINUATION_MS,
  continuationAfterFill,
  continuationApplies,
  fillNeeds,
  framesToFill,
  pageContinuesLogin,
  siteOf,
  type Continuation,
  type DetectedFrame,
} from './filling.js';

const NOW = 1_700_000_000_000;
const NONE = { username: false, password: false, oneTimeCode: false };

const frame = (frameId: number, origin: string, fields: Partial<typeof NONE>, ancestorOrigins: string[] = []) =>
  ({ frameId, origin, fields: { ...NONE, ...fields }, ancestorOrigins }) satisfies DetectedFrame;

describe('accountsForPage', () => {
  const accounts = [
    { id: 'a', loginUrl: 'https://www.instagram.com/accounts/login/' },
    { id: 'b', loginUrl: 'https://login.example.co.uk/' },
    { id: 'c', loginUrl: null },
    { id: 'd', loginUrl: 'http://127.0.0.1:8080/login' },
  ];
  it('lists the accounts whose login URL is on the page’s site', () => {
    expect(accountsForPage(accounts, 'https://instagram.com/').map((a) => a.id)).toEqual(['a']);
    expect(accountsForPage(accounts, 'https://www.example.co.uk/x').map((a) => a.id)).toEqual(['b']);
    expect(accountsForPage(accounts, 'http://127.0.0.1:8080/password').map((a) => a.id)).toEqual(['d']);
    expect(accountsForPage(accounts, 'http://127.0.0.1:9090/login')).toEqual([]);
    expect(accountsForPage(accounts, 'https://other.co.uk/')).toEqual([]);
  });

  it('counts them on the icon, nothing for none', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(2)).toBe('2');
    expect(badgeText(120)).toBe('99+');
  });
});

describe('choosePageTab', () => {
  const page = { id: 1, url: 'https://example.com/login', active: false, lastAccessed: 100 };
  const newer = { id: 2, url: 'https://other.test/', active: false, lastAccessed: 300 };
  const popupTab = { id: 3, url: 'chrome-extension://abc/popup.html', active: true, lastAccessed: 400 };
  it('is the active tab when it shows a web page', () => {
    const active = { ...page, active: true };
    expect(choosePageTab(active, [active, newer])).toBe(active);
  });
  it('otherwise the web page used most recently (the popup opened as a tab, a browser page)', () => {
    expect(choosePageTab(popupTab, [page, newer, popupTab])).toBe(newer);
    expect(choosePageTab({ id: 4, active: true }, [page, { id: 4, active: true }])).toBe(page);
    expect(choosePageTab(undefined, [popupTab])).toBeNull();
  });
});

describe('framesToFill', () => {
  const login = 'https://accounts.example.com/login';
  it('fills the matching frames that show login fields, same-site iframes included', () => {
    const frames = [
      frame(0, 'https://www.example.com', {}),
      frame(5, 'https://auth.example.com', { username: true, password: true }, ['https://www.example.com']),
    ];
    expect(framesToFill(login, frames).map((f) => f.frameId)).toEqual([5]);
  });
  it('never another site, a frame inside another site, or plain http for an https account', () => {
    expect(framesToFill(login, [frame(0, 'https://example.org', { password: true })])).toEqual([]);
    expect(framesToFill(login, [frame(3, 'https://example.com', { password: true }, ['https://evil.test'])])).toEqual(
      [],
    );
    expect(framesToFill(login, [frame(0, 'http://example.com', { password: true })])).toEqual([]);
    expect(
      framesToFill('http://intranet.example.com/', [frame(0, 'http://example.com', { password: true })]),
    ).toHaveLength(1);
  });
});

describe('fillNeeds', () => {
  const both = [frame(0, 'https://example.com', { username: true, password: true })];
  const usernameOnly = [frame(0, 'https://example.com', { username: true })];
  const code = [frame(0, 'https://example.com', { oneTimeCode: true })];
  it('asks for the password only when a password field shows', () => {
    expect(fillNeeds(both, 'all', false)).toEqual({ password: true, usernameOnly: false, oneTimeCode: false });
    expect(fillNeeds(usernameOnly, 'all', true)).toEqual({ password: false, usernameOnly: true, oneTimeCode: false });
  });
  it('asks for a TOTP code only for an account with a TOTP secret and a page with a code field', () => {
    expect(fillNeeds(code, 'all', true)).toEqual({ password: false, usernameOnly: false, oneTimeCode: true });
    expect(fillNeeds(code, 'all', false).oneTimeCode).toBe(false);
  });
  it('on the code page of a login carried on, asks for nothing but the code', () => {
    const all = [frame(0, 'https://example.com', { username: true, password: true, oneTimeCode: true })];
    expect(fillNeeds(all, 'one-time-code', true)).toEqual({ password: false, usernameOnly: false, oneTimeCode: true });
    expect(fillNeeds(usernameOnly, 'password', true).usernameOnly).toBe(false);
  });
});

describe('a login on successive pages', () => {
  const base = {
    tabId: 7,
    accountId: 'acc',
    loginUrl: 'https://login.example.com/',
    pageUrl: 'https://login.example.com/identifier',
    hasTotp: true,
    now: NOW,
  };

  it('after the username alone, waits 2 minutes for the password page of the same site', () => {
    expect(continuationAfterFill({ ...base, filled: { ...NONE, username: true } })).toEqual({
      tabId: 7,
      accountId: 'acc',
      loginUrl: 'https://login.example.com/',
      site: 'example.com',
      next: 'password',
      until: NOW + CONTINUATION_MS,
    });
  });

  it('after the password, waits for the code page when the account has a TOTP secret; after the code, for nothing', () => {
    expect(continuationAfterFill({ ...base, filled: { ...NONE, username: true, password: true } })?.next).toBe(
      'one-time-code',
    );
    expect(
      continuationAfterFill({ ...base, hasTotp: false, filled: { ...NONE, username: true, password: true } }),
    ).toBeNull();
    expect(continuationAfterFill({ ...base, filled: { ...NONE, password: true, oneTimeCode: true } })).toBeNull();
    expect(continuationAfterFill({ ...base, filled: NONE })).toBeNull();
  });

  it('keys a site without a registrable domain by its host and port', () => {
    expect(siteOf('http://127.0.0.1:8080/login')).toBe('127.0.0.1:8080');
    expect(siteOf('https://a.b.example.co.uk/')).toBe('example.co.uk');
    expect(siteOf('chrome://settings')).toBeNull();
  });

  const carried: Continuation = {
    tabId: 7,
    accountId: 'acc',
    loginUrl: 'https://login.example.com/',
    site: 'example.com',
    next: 'password',
    until: NOW + CONTINUATION_MS,
  };

  it('carries on in the same tab, on the same site, in time only', () => {
    expect(continuationApplies(carried, 7, 'https://www.example.com/password', NOW + 1000)).toBe(true);
    expect(continuationApplies(carried, 8, 'https://www.example.com/password', NOW + 1000)).toBe(false);
    expect(continuationApplies(carried, 7, 'https://example.org/password', NOW + 1000)).toBe(false);
    expect(continuationApplies(carried, 7, 'http://www.example.com/password', NOW + 1000)).toBe(false);
    expect(continuationApplies(carried, 7, 'https://www.example.com/password', NOW + CONTINUATION_MS)).toBe(false);
    expect(continuationApplies(null, 7, 'https://www.example.com/password', NOW)).toBe(false);
  });

  it('fills the next page only when it shows what comes next', () => {
    const password = [frame(0, 'https://example.com', { password: true })];
    const code = [frame(0, 'https://example.com', { oneTimeCode: true })];
    const usernameAgain = [frame(0, 'https://example.com', { username: true })];
    expect(pageContinuesLogin(carried, password)).toBe(true);
    expect(pageContinuesLogin(carried, code)).toBe(true);
    expect(pageContinuesLogin(carried, usernameAgain)).toBe(false);
    const codeNext: Continuation = { ...carried, next: 'one-time-code' };
    expect(pageContinuesLogin(codeNext, password)).toBe(false);
    expect(pageContinuesLogin(codeNext, code)).toBe(true);
  });
});
