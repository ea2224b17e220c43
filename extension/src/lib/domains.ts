import { parse } from 'tldts';

/**
 * Which pages an account may be filled into (SPEC §7a: "the same registrable domain, public-suffix
 * aware"). The rules, strictest first:
 *
 * - Only http: and https: pages, and never a page over plain http unless the account's own login URL is
 *   http (an https account is never filled into an http page; an http account may be filled into the
 *   https version of its site).
 * - IP addresses, `localhost` (and `*.localhost`) and hosts without a registrable domain (a single-label
 *   intranet name, a bare public suffix) match only exactly: the same host and the same port.
 * - Any other host matches when its registrable domain (the public suffix plus one label, from the
 *   Public Suffix List through tldts) is the same: login.example.co.uk and www.example.co.uk match,
 *   a.co.uk and b.co.uk do not. The list's private section counts too, so two sites on a shared host
 *   (alice.github.io and bob.github.io) are two owners.
 * - Ports are ignored for such hosts: a port does not change who owns a domain, and the subdomains that
 *   already match are a wider net than a port. (For exact-match hosts the port is what tells two local
 *   services apart, so there it counts.)
 */

/** The registrable domain of a URL's host ("example.co.uk"), or null when it has none (an IP address,
 * localhost, a single-label host, a bare public suffix, or not an http(s) URL). */
export function registrableDomain(url: string): string | null {
  const parsed = parseWebUrl(url);
  if (!parsed || matchesOnlyExactly(parsed.hostname)) return null;
  return domainOf(parsed.hostname);
}

/** Whether an account whose login URL is `accountLoginUrl` may be filled into the page at `pageUrl`. */
export function accountMatchesPage(accountLoginUrl: string, pageUrl: string): boolean {
  const account = parseWebUrl(accountLoginUrl);
  const page = parseWebUrl(pageUrl);
  if (!account || !page) return false;
  if (page.protocol === 'http:' && account.protocol !== 'http:') return false;

  if (matchesOnlyExactly(account.hostname) || matchesOnlyExactly(page.hostname)) {
    return account.hostname === page.hostname && effectivePort(account) === effectivePort(page);
  }
  const accountDomain = domainOf(account.hostname);
  return accountDomain !== null && accountDomain === domainOf(page.hostname);
}

/**
 * Whether a frame may be filled: its own URL matches the account, and so does every page it sits in
 * (the frame's `location.ancestorOrigins`, top page last), so a matching login page framed by another
 * site gets nothing, and neither does another site's frame inside a matching page.
 */
export function frameMatchesAccount(
  accountLoginUrl: string,
  frameUrl: string,
  ancestorOrigins: readonly string[],
): boolean {
  return (
    accountMatchesPage(accountLoginUrl, frameUrl) &&
    ancestorOrigins.every((origin) => accountMatchesPage(accountLoginUrl, origin))
  );
}

interface WebUrl {
  protocol: 'http:' | 'https:';
  /** Lower case, without IPv6 brackets or a trailing dot. */
  hostname: string;
  port: string;
}

function parseWebUrl(value: string): WebUrl | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (hostname === '') return null;
  return { protocol: url.protocol, hostname, port: url.port };
}

function effectivePort(url: WebUrl): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function matchesOnlyExactly(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const info = parse(hostname, { allowPrivateDomains: true });
  return info.isIp === true || info.domain === null;
}

function domainOf(hostname: string): string | null {
  return parse(hostname, { allowPrivateDomains: true }).domain;
}
