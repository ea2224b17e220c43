import { describe, expect, it } from 'vitest';
import { accountMatchesPage, frameMatchesAccount, registrableDomain } from './domains.js';

describe('registrableDomain', () => {
  it('is the public suffix plus one label', () => {
    expect(registrableDomain('https://login.example.co.uk/sign-in')).toBe('example.co.uk');
    expect(registrableDomain('https://www.example.com/')).toBe('example.com');
    expect(registrableDomain('https://app.eu.example.com:8443/x?y=z')).toBe('example.com');
  });

  it("counts the list's private section: sites on a shared host are separate owners", () => {
    expect(registrableDomain('https://alice.github.io/')).toBe('alice.github.io');
  });

  it('is null where there is none', () => {
    expect(registrableDomain('http://127.0.0.1:8080/')).toBeNull();
    expect(registrableDomain('http://[::1]:3000/')).toBeNull();
    expect(registrableDomain('http://localhost:3000/')).toBeNull();
    expect(registrableDomain('https://co.uk/')).toBeNull();
    expect(registrableDomain('ftp://example.com/')).toBeNull();
    expect(registrableDomain('not a url')).toBeNull();
  });
});

describe('accountMatchesPage', () => {
  it('matches the same registrable domain, subdomains included', () => {
    expect(accountMatchesPage('https://example.com/login', 'https://example.com/login?next=/')).toBe(true);
    expect(accountMatchesPage('https://login.example.co.uk/', 'https://www.example.co.uk/account')).toBe(true);
    expect(accountMatchesPage('https://example.com/', 'https://accounts.eu.example.com/signin')).toBe(true);
    expect(accountMatchesPage('https://Example.COM./', 'https://example.com/')).toBe(true);
  });

  it('never collapses two owners under a public suffix', () => {
    expect(accountMatchesPage('https://a.co.uk/', 'https://b.co.uk/')).toBe(false);
    expect(accountMatchesPage('https://alice.github.io/', 'https://mallory.github.io/')).toBe(false);
    expect(accountMatchesPage('https://example.com/', 'https://example.com.evil.test/')).toBe(false);
    expect(accountMatchesPage('https://example.com/', 'https://notexample.com/')).toBe(false);
    expect(accountMatchesPage('https://example.co.uk/', 'https://example.com/')).toBe(false);
  });

  it('ignores ports on named hosts', () => {
    expect(accountMatchesPage('https://example.com/', 'https://example.com:8443/login')).toBe(true);
  });

  it('matches IP addresses and localhost only exactly, port included', () => {
    expect(accountMatchesPage('http://127.0.0.1:8080/login', 'http://127.0.0.1:8080/other')).toBe(true);
    expect(accountMatchesPage('http://127.0.0.1:8080/', 'http://127.0.0.1:9090/')).toBe(false);
    expect(accountMatchesPage('http://127.0.0.1/', 'http://127.0.0.2/')).toBe(false);
    expect(accountMatchesPage('http://10.0.0.1/', 'http://10.0.0.1:80/')).toBe(true);
    expect(accountMatchesPage('http://[::1]:3000/', 'http://[::1]:3000/login')).toBe(true);
    expect(accountMatchesPage('http://[::1]:3000/', 'http://[::1]:3001/')).toBe(false);
    expect(accountMatchesPage('http://localhost:3000/', 'http://localhost:3000/login')).toBe(true);
    expect(accountMatchesPage('http://localhost:3000/', 'http://localhost:4000/')).toBe(false);
    expect(accountMatchesPage('http://app.localhost:3000/', 'http://other.localhost:3000/')).toBe(false);
    expect(accountMatchesPage('https://intranet/', 'https://intranet/login')).toBe(true);
    expect(accountMatchesPage('https://intranet/', 'https://wiki/')).toBe(false);
  });

  it('does not fill over plain http unless the account is http', () => {
    expect(accountMatchesPage('https://example.com/', 'http://example.com/login')).toBe(false);
    expect(accountMatchesPage('http://example.com/', 'http://example.com/login')).toBe(true);
    expect(accountMatchesPage('http://example.com/', 'https://example.com/login')).toBe(true);
    expect(accountMatchesPage('https://127.0.0.1:8443/', 'http://127.0.0.1:8443/')).toBe(false);
  });

  it('refuses what is not an http(s) page or account', () => {
    expect(accountMatchesPage('https://example.com/', 'file:///home/me/example.com.html')).toBe(false);
    expect(accountMatchesPage('https://example.com/', 'chrome-extension://abc/popup.html')).toBe(false);
    expect(accountMatchesPage('javascript:alert(1)', 'https://example.com/')).toBe(false);
    expect(accountMatchesPage('', 'https://example.com/')).toBe(false);
    expect(accountMatchesPage('https://co.uk/', 'https://example.co.uk/')).toBe(false);
  });
});

describe('frameMatchesAccount', () => {
  const account = 'https://www.example.com/login';

  it('lets a top page or a same-site frame be filled', () => {
    expect(frameMatchesAccount(account, 'https://example.com/login', [])).toBe(true);
    expect(frameMatchesAccount(account, 'https://auth.example.com/frame', ['https://www.example.com'])).toBe(true);
  });

  it('refuses a matching frame inside another site, and another site inside a matching page', () => {
    expect(frameMatchesAccount(account, 'https://auth.example.com/frame', ['https://evil.test'])).toBe(false);
    expect(
      frameMatchesAccount(account, 'https://auth.example.com/frame', ['https://www.example.com', 'https://evil.test']),
    ).toBe(false);
    expect(frameMatchesAccount(account, 'https://ads.test/frame', ['https://www.example.com'])).toBe(false);
    expect(frameMatchesAccount(account, 'https://auth.example.com/frame', ['null'])).toBe(false);
  });
});
