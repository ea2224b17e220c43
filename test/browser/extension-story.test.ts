/// <reference types="chrome" />
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import {
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectVisible,
  screenshot,
  UI_TIMEOUT_MS,
} from '../helpers/browser.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { confirmIdentity, decodeBase32, freshCode, totp, turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { CHROMIUM_PATH } from '../helpers/requirements.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/**
 * Issue 9's story, in Chromium with the built extension loaded: a guest user with MFA, signed in to
 * Gatehouse in a trusted browser session, connects the extension with the code the popup shows (approved
 * on /app/connect), opens a fixture login site served by this test (username, then password, then a
 * one-time code, on three pages, the last two on another host of the same site), sees the count on the
 * extension's icon, presses **Fill**, and the site receives exactly the account's username, password and
 * a TOTP code this test's own RFC 6238 generator accepts. The password is never in the popup nor in the
 * extension's storage. Then the refusals and the ends: another site gets nothing (nor its frame inside
 * the account's page, while a same-site frame is filled); an account removed from the partner is no
 * longer listed; a removed device, the idle time-out and a workspace that stops approving the extension
 * end the session and the popup says why; approval from an untrusted session waits for the emailed code;
 * Sign out; an unapproved extension, a denied code and an expired code end with a message.
 *
 * The sites have names of their own (`*.test`, resolved to 127.0.0.1 by Chromium's host rules), so that
 * registrable domains are what tells them apart: login.shop.test and auth.shop.test are one site,
 * evil.test another.
 */

const EXTENSION_DIR = path.resolve('extension/dist');
const STORY_TIMEOUT_MS = 180_000;
/** The extension polls every 5 seconds (the server's interval): a connection takes up to that long. */
const CONNECT_TIMEOUT_MS = 20_000;
const POPUP_VIEWPORT = { width: 360, height: 600 };

const MANAGER = { email: 'gina@agency.test', givenName: 'Gina', familyName: 'Guestadmin' };
const GUEST = { email: 'gus@agency.test', givenName: 'Gus', familyName: 'Guestuser' };
const SHOP = {
  name: 'Shop back office',
  appName: 'Shop',
  username: 'acme-shop-admin',
  password: 'Shop password 5d2a9c !',
  // RFC 6238's SHA-1 test key "12345678901234567890", in base32.
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
};

interface Received {
  host: string;
  path: string;
  fields: Record<string, string>;
}

/**
 * The fixture login site: a username page, a password page and a one-time-code page, each a plain form
 * posted to the server, which records what it receives and sends the browser to the next page. The same
 * server answers for every host name; `/mixed` is a login page with another site's login form in an iframe.
 */
function fixtureSite(received: Received[]) {
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body><h1>${title}</h1>${body}</body></html>`;
  const pages: Record<string, (port: number) => string> = {
    '/login': () =>
      page(
        'Sign in to Shop',
        `<form method="post" action="/login"><label>Email or username <input name="username" autocomplete="username"></label>
         <button>Next</button></form>`,
      ),
    '/password': () =>
      page(
        'Enter your password',
        `<form method="post" action="/password"><label>Password <input type="password" name="password" autocomplete="current-password"></label>
         <button>Sign in</button></form>`,
      ),
    '/totp': () =>
      page(
        'Two-step verification',
        `<form method="post" action="/totp"><label>Code from your authenticator app
         <input name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="6"></label>
         <button>Verify</button></form>`,
      ),
    '/done': () => page('Signed in', '<p>Welcome to the back office.</p>'),
    '/mixed': (port) =>
      page(
        'Sign in to Shop',
        `<form method="post" action="/password"><label>Username <input name="username" autocomplete="username"></label>
         <label>Password <input type="password" name="password" autocomplete="current-password"></label>
         <button>Sign in</button></form>
         <iframe title="Partner login" src="http://evil.test:${port}/both" width="400" height="200"></iframe>`,
      ),
    '/framed': (port) =>
      page(
        'Shop',
        `<p>Sign in below.</p><iframe title="Shop login" src="http://login.shop.test:${port}/both" width="400" height="200"></iframe>`,
      ),
    '/both': () =>
      page(
        'Sign in',
        `<form method="post" action="/password"><label>Username <input name="username" autocomplete="username"></label>
         <label>Password <input type="password" name="password" autocomplete="current-password"></label>
         <button>Sign in</button></form>`,
      ),
  };
  // The password and code pages are on another host of the same site, as many sign-in services do.
  const next: Record<string, (port: number) => string> = {
    '/login': (port) => `http://auth.shop.test:${port}/password`,
    '/password': () => '/totp',
    '/totp': () => '/done',
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({
          host: url.hostname,
          path: url.pathname,
          fields: Object.fromEntries(new URLSearchParams(body)),
        });
        const port = (server.address() as AddressInfo).port;
        response.writeHead(303, { location: next[url.pathname]?.(port) ?? '/done' }).end();
      });
      return;
    }
    const render = pages[url.pathname];
    if (!render) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(render((server.address() as AddressInfo).port));
  });
  return server;
}

describeBrowser('the browser extension with Gatehouse', { timeout: STORY_TIMEOUT_MS }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let owner: TestClient;
  let ownerSecret: string;
  let guest: TestClient;
  let guestSecret: string;
  let guestId: string;
  let partnerId: string;
  let accountId: string;

  const received: Received[] = [];
  let site: http.Server;
  let sitePort: number;
  const shopUrl = (pathname: string) => `http://login.shop.test:${sitePort}${pathname}`;

  let profileDir: string;
  let context: BrowserContext;
  let worker: Worker;
  let extensionId: string;
  let gatehouse: Page;
  let popup: Page;

  beforeAll(async () => {
    site = fixtureSite(received);
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    sitePort = (site.address() as AddressInfo).port;

    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    ownerSecret = (await turnOnMfa(owner)).secret;
    const ownerId = (await me(owner)).user.id;

    // The partner, its guest admin and a guest user, both with MFA; the shop's account shared with the
    // partner by the host admin and passed on to the guest user by the guest admin.
    partnerId = (await createPartner(owner, 'Agency Ltd', MANAGER.email, [ownerId])).id;
    const manager = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, MANAGER.email)), {
      givenName: MANAGER.givenName,
      familyName: MANAGER.familyName,
    });
    const managerSecret = (await turnOnMfa(manager)).secret;
    const invited = await manager.post(`/api/v1/partners/${partnerId}/guests`, { email: GUEST.email });
    expect(invited.statusCode, invited.body).toBe(201);
    guest = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GUEST.email)), {
      givenName: GUEST.givenName,
      familyName: GUEST.familyName,
    });
    guestSecret = (await turnOnMfa(guest)).secret;
    guestId = (await me(guest)).user.id;

    const created = await owner.post('/api/v1/accounts', { ...SHOP, loginUrl: shopUrl('/login') });
    expect(created.statusCode, created.body).toBe(201);
    accountId = (created.json() as { id: string }).id;
    await confirmIdentity(owner, ownerSecret);
    const shared = await owner.post(`/api/v1/partners/${partnerId}/accounts`, {
      accounts: [{ accountId, role: 'manager' }],
    });
    expect(shared.statusCode, shared.body).toBe(204);
    await confirmIdentity(manager, managerSecret);
    const passedOn = await manager.post(`/api/v1/accounts/${accountId}/onward-shares`, { userId: guestId });
    expect(passedOn.statusCode, passedOn.body).toBe(204);

    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-extension-story-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      locale: 'en-US',
      timezoneId: 'UTC',
      args: [
        '--headless=new',
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
        // The fixture sites' names; everything else (Gatehouse at 127.0.0.1) resolves as usual.
        '--host-resolver-rules=MAP *.test 127.0.0.1',
        '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    extensionId = new URL(worker.url()).host;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await t?.close();
    await smtp?.close();
    site?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  });

  // -------------------------------------------------------------------------------------------------
  // Helpers

  /** The popup, opened as a tab of its own at a popup's size. */
  async function openPopup(): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize(POPUP_VIEWPORT);
    await page.goto(`chrome-extension://${extensionId}/popup.html`);
    return page;
  }

  /** Opens the popup again on the page the person looks at (the web page used last), as a click on the icon does. */
  async function reopenPopup(pageInView: Page): Promise<void> {
    await pageInView.bringToFront();
    await popup.bringToFront();
    await popup.reload();
  }

  async function badgeOf(page: Page): Promise<string> {
    const url = page.url();
    return worker.evaluate(async (url) => {
      const tabs = await chrome.tabs.query({});
      const tab = tabs.find((candidate) => candidate.url === url);
      if (tab?.id === undefined) throw new Error(`no tab at ${url}`);
      return chrome.action.getBadgeText({ tabId: tab.id });
    }, url);
  }

  /** Everything the extension keeps, as JSON: session, local and sync storage. */
  function storedByExtension(): Promise<string> {
    return worker.evaluate(async () =>
      JSON.stringify({
        session: await chrome.storage.session.get(null),
        local: await chrome.storage.local.get(null),
        sync: await chrome.storage.sync.get(null),
      }),
    );
  }

  const accountItem = (name: string) => popup.getByRole('listitem').filter({ hasText: name });
  const popupAlert = (text: string | RegExp) => popup.getByRole('alert').filter({ hasText: text });

  /** Username, password, then the verification page with a code from the test's authenticator. */
  async function signInToGatehouse(page: Page): Promise<void> {
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(GUEST.email);
    await page.getByLabel('Password', { exact: true }).fill(GUEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));
    await page.getByLabel('Authentication Code').fill(await freshCode(guestSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${GUEST.givenName} ${GUEST.familyName}` }));
  }

  /** Presses Connect in the popup and opens the approval page it offers; returns the code shown and that page. */
  async function startConnecting(): Promise<{ userCode: string; approval: Page }> {
    await popup.getByRole('button', { name: /^Connect/ }).click();
    const code = popup.getByLabel('Your code');
    await expectVisible(code);
    const userCode = (await code.innerText()).trim();
    expect(userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const [approval] = await Promise.all([
      context.waitForEvent('page'),
      popup.getByRole('button', { name: 'Open Gatehouse to approve' }).click(),
    ]);
    await approval.waitForLoadState('domcontentloaded');
    expect(new URL(approval.url()).pathname).toBe('/app/connect');
    expect(new URL(approval.url()).searchParams.get('code')).toBe(userCode);
    await expectVisible(approval.getByRole('heading', { name: 'Connect the browser extension' }));
    await expectVisible(approval.getByText(userCode, { exact: true }));
    return { userCode, approval };
  }

  /** Connects the extension, approved on /app/connect in the trusted browser session; returns the device's id. */
  async function connectThroughUi(): Promise<string> {
    await showConnect();
    const { approval } = await startConnecting();
    const deviceName = await approval.getByLabel('Device name').inputValue();
    await approval.getByRole('button', { name: 'Approve' }).click();
    await expectVisible(approval.getByRole('status').filter({ hasText: 'is connected and trusted' }));
    await approval.close();
    await popup.bringToFront();
    await expectVisible(popup.getByRole('button', { name: 'Sign out' }), CONNECT_TIMEOUT_MS);
    const devices = (await guest.get('/api/v1/devices')).json() as {
      devices: Array<{ id: string; name: string; status: string }>;
    };
    return devices.devices.find((device) => device.name === deviceName && device.status === 'approved')!.id;
  }

  /** The popup back at **Connect**, whatever it showed (a code still waiting is cancelled). */
  async function showConnect(): Promise<void> {
    await popup.bringToFront();
    await popup.reload();
    const connect = popup.getByRole('button', { name: /^Connect/ });
    const cancel = popup.getByRole('button', { name: 'Cancel' });
    await expectVisible(connect.or(cancel));
    if (await cancel.isVisible()) await cancel.click();
    await expectVisible(connect);
  }

  /** The fixture's login page in a tab of its own, with the account's count on the icon. */
  async function openShop(pathname: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(shopUrl(pathname));
    return page;
  }

  // -------------------------------------------------------------------------------------------------

  it('a guest user connects the extension from a trusted session, and Fill signs in on a three-page login', async () => {
    // Signed in to Gatehouse, with this browser trusted (the code mailed to the guest).
    gatehouse = await context.newPage();
    await signInToGatehouse(gatehouse);
    await gatehouse.goto(`${t.url}/app/trusted-session`);
    await expectVisible(gatehouse.getByLabel('Name your device'));
    await gatehouse.getByRole('button', { name: 'Continue' }).click();
    const trustCode = await waitForDeviceCode(smtp, GUEST.email, 1);
    await gatehouse.getByLabel('Code', { exact: true }).fill(trustCode);
    await gatehouse.getByRole('button', { name: 'Verify code' }).click();
    await expectVisible(gatehouse.getByText('This session is trusted'));

    // The popup: the address, then Connect, a code, and the approval page in Gatehouse.
    popup = await openPopup();
    await popup.getByLabel('Gatehouse address').fill(t.url);
    await popup.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(popup.getByRole('button', { name: 'Connect', exact: true }));
    await screenshot(popup, 'extension-popup-not-connected');
    const { approval } = await startConnecting();
    await expectVisible(popup.getByRole('status').filter({ hasText: 'Waiting for your approval' }));
    await screenshot(popup, 'extension-popup-code');

    await screenshot(approval, 'extension-connect-page');
    // The device name it will get, suggested from the extension's browser and system.
    const deviceName = await approval.getByLabel('Device name').inputValue();
    expect(deviceName).not.toBe('');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await expectVisible(approval.getByRole('status').filter({ hasText: `“${deviceName}” is connected and trusted.` }));
    await popup.bringToFront();
    await expectVisible(popup.getByText(`Connected as ${GUEST.givenName} ${GUEST.familyName}`), CONNECT_TIMEOUT_MS);
    await expectVisible(popup.getByText(OWNER.workspaceName));
    await expectVisible(popup.getByRole('button', { name: 'Sign out' }));

    // The device it became: the guest's, an approved extension.
    const devices = (await guest.get('/api/v1/devices')).json() as {
      devices: Array<{ kind: string; status: string; name: string }>;
    };
    expect(devices.devices.filter((device) => device.kind === 'extension')).toEqual([
      expect.objectContaining({ kind: 'extension', status: 'approved', name: deviceName }),
    ]);

    // The login site: its account counted on the icon.
    const shop = await openShop('/login');
    await expect.poll(() => badgeOf(shop), { timeout: UI_TIMEOUT_MS }).toBe('1');
    await reopenPopup(shop);
    await expectVisible(popup.getByRole('heading', { name: `Accounts for login.shop.test:${sitePort}` }));
    const item = accountItem(SHOP.name);
    await expectVisible(item);
    await expectVisible(item.getByText(`${SHOP.username} · Collaborator`));
    await screenshot(popup, 'extension-popup-accounts');

    // Fill: the username on the first page; then, as the site asks for them, the password and the code.
    await item.getByRole('button', { name: 'Fill' }).click();
    await expectVisible(popup.getByRole('status').filter({ hasText: 'Filled the username.' }));
    await screenshot(popup, 'extension-popup-filled');
    await expectInputValue(shop.getByLabel('Email or username'), SHOP.username);
    await shop.getByRole('button', { name: 'Next' }).click();
    await expectVisible(shop.getByRole('heading', { name: 'Enter your password' }));
    await expect.poll(() => shop.getByLabel('Password').inputValue(), { timeout: UI_TIMEOUT_MS }).not.toBe('');
    await shop.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(shop.getByRole('heading', { name: 'Two-step verification' }));
    const codeField = shop.getByLabel('Code from your authenticator app');
    await expect.poll(() => codeField.inputValue(), { timeout: UI_TIMEOUT_MS }).toMatch(/^\d{6}$/);
    await shop.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(shop.getByRole('heading', { name: 'Signed in' }));

    // What the site received: exactly the account's username and password, and a valid TOTP code.
    expect(received.map(({ host, path, fields }) => ({ host, path, fields: Object.keys(fields) }))).toEqual([
      { host: 'login.shop.test', path: '/login', fields: ['username'] },
      { host: 'auth.shop.test', path: '/password', fields: ['password'] },
      { host: 'auth.shop.test', path: '/totp', fields: ['otp'] },
    ]);
    expect(received[0]!.fields.username).toBe(SHOP.username);
    expect(received[1]!.fields.password).toBe(SHOP.password);
    const now = testClock.now();
    const accepted = [now - 30_000, now, now + 30_000].map((time) => totp(decodeBase32(SHOP.totpSecret), time));
    expect(accepted).toContain(received[2]!.fields.otp);

    // The password was never shown by the popup, nor kept in the extension's storage.
    await reopenPopup(shop);
    await expectVisible(accountItem(SHOP.name));
    expect(await popup.content()).not.toContain(SHOP.password);
    const stored = await storedByExtension();
    expect(stored).not.toContain(SHOP.password);
    expect(stored).not.toContain(encodeURIComponent(SHOP.password));
    expect(JSON.parse(stored).local).toEqual({});
    expect(JSON.parse(stored).sync).toEqual({});

    // Each delivery of the password is an activity event of the guest, on the account.
    const activity = (await owner.get('/api/v1/activity?limit=1000')).json() as {
      events: Array<{ action: string; actorEmail: string | null; targetId: string | null }>;
    };
    const deliveries = activity.events.filter((event) => event.action === 'account.password_delivered');
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) expect(delivery).toMatchObject({ actorEmail: GUEST.email, targetId: accountId });
    await approval.close();
    await shop.close();
  });

  it('fills nothing into another site: not its page, nor its frame inside the account’s page', async () => {
    received.length = 0;
    // Another site's login page: no account for it, and a fill asked for anyway is refused.
    const other = await context.newPage();
    await other.goto(`http://evil.test:${sitePort}/both`);
    await expect.poll(() => badgeOf(other), { timeout: UI_TIMEOUT_MS }).toBe('');
    await reopenPopup(other);
    await expectVisible(popup.getByRole('heading', { name: `Accounts for evil.test:${sitePort}` }));
    await expectVisible(popup.getByText('None of the accounts shared with you logs in on this site.'));
    await expectHidden(popup.getByRole('button', { name: 'Fill' }));
    const asked = await popup.evaluate(
      async ({ accountId, url }) => {
        const [tab] = await chrome.tabs.query({ url });
        return chrome.runtime.sendMessage({ type: 'fill', accountId, tabId: tab!.id! });
      },
      { accountId, url: `http://evil.test/*` },
    );
    expect(asked).toEqual({
      type: 'error',
      message: `This page is not on the site of ${SHOP.name}: nothing was filled.`,
    });
    expect(await other.getByLabel('Password').inputValue()).toBe('');
    await screenshot(popup, 'extension-popup-other-site');

    // The account's own page with another site's login form in a frame: only the page's own form is filled.
    const mixed = await openShop('/mixed');
    await expect.poll(() => badgeOf(mixed), { timeout: UI_TIMEOUT_MS }).toBe('1');
    await reopenPopup(mixed);
    await accountItem(SHOP.name).getByRole('button', { name: 'Fill' }).click();
    await expectVisible(popup.getByRole('status').filter({ hasText: 'Filled the username and password.' }));
    await expectInputValue(mixed.getByLabel('Username').first(), SHOP.username);
    expect(await mixed.getByLabel('Password').first().inputValue()).toBe(SHOP.password);
    const frame = mixed.frameLocator('iframe[title="Partner login"]');
    expect(await frame.getByLabel('Username').inputValue()).toBe('');
    expect(await frame.getByLabel('Password').inputValue()).toBe('');
    expect(await other.getByLabel('Password').inputValue()).toBe('');
    expect(received).toEqual([]);
    await other.close();
    await mixed.close();
  });

  it('fills a login form inside a frame of the same site', async () => {
    const framed = await context.newPage();
    await framed.goto(`http://www.shop.test:${sitePort}/framed`);
    await expect.poll(() => badgeOf(framed), { timeout: UI_TIMEOUT_MS }).toBe('1');
    await reopenPopup(framed);
    await accountItem(SHOP.name).getByRole('button', { name: 'Fill' }).click();
    await expectVisible(popup.getByRole('status').filter({ hasText: 'Filled the username and password.' }));
    const frame = framed.frameLocator('iframe[title="Shop login"]');
    await expectInputValue(frame.getByLabel('Username'), SHOP.username);
    expect(await frame.getByLabel('Password').inputValue()).toBe(SHOP.password);
    await framed.close();
  });

  it('an account the host admin removes from the partner is no longer listed', async () => {
    const removed = await owner.request({
      method: 'DELETE',
      url: `/api/v1/partners/${partnerId}/accounts/${accountId}`,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    const shop = await openShop('/login');
    await reopenPopup(shop);
    await expectVisible(popup.getByText('None of the accounts shared with you logs in on this site.'));
    await expectHidden(accountItem(SHOP.name));
    await expect.poll(() => badgeOf(shop), { timeout: UI_TIMEOUT_MS }).toBe('');
    await shop.close();
  });

  it('a removed device is refused on its next request, and the popup says why and offers to connect again', async () => {
    const listed = (await owner.get(`/api/v1/users/${guestId}/devices`)).json() as {
      devices: Array<{ id: string; kind: string; status: string }>;
    };
    const extensionDevice = listed.devices.find(
      (device) => device.kind === 'extension' && device.status === 'approved',
    );
    expect(extensionDevice).toBeDefined();
    const removed = await owner.request({
      method: 'DELETE',
      url: `/api/v1/users/${guestId}/devices/${extensionDevice!.id}`,
    });
    expect(removed.statusCode, removed.body).toBeLessThan(300);

    const shop = await openShop('/login');
    await reopenPopup(shop);
    await expectVisible(popupAlert(/removed/i));
    await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
    await expectHidden(popup.getByRole('button', { name: 'Sign out' }));
    await screenshot(popup, 'extension-popup-device-removed');
    const stored = JSON.parse(await storedByExtension()) as { session: Record<string, unknown> };
    expect(Object.keys(stored.session)).not.toContain('gatehouseSession');
    expect(await badgeOf(shop)).toBe('');
    await shop.close();
  });

  it('approved from a session that is not trusted, the extension waits for the code mailed to the person; then Sign out', async () => {
    await showConnect();
    await popup.getByRole('button', { name: /^Connect/ }).click();
    const code = popup.getByLabel('Your code');
    await expectVisible(code);
    const userCode = (await code.innerText()).trim();
    // The guest approves from a session of their own that is not trusted (here through the API).
    const approved = await guest.post(`/api/v1/connect/requests/${userCode}/approve`, {
      deviceName: 'Gus laptop extension',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().device.status).toBe('pending_verification');

    const verify = popup.getByRole('heading', { name: 'Trust this browser' });
    await expectVisible(verify, CONNECT_TIMEOUT_MS);
    await expectVisible(popup.getByText('“Gus laptop extension” was approved from a session that is not trusted.'));
    await screenshot(popup, 'extension-popup-verify');
    const mailed = await waitForDeviceCode(smtp, GUEST.email, 2);
    const wrong = mailed === '000000' ? '111111' : '000000';
    await popup.getByLabel('Code from the email').fill(wrong);
    await popup.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(popupAlert(/wrong|tries/i));
    await popup.getByLabel('Code from the email').fill(mailed);
    await popup.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(popup.getByText(`Connected as ${GUEST.givenName} ${GUEST.familyName}`));
    await expectHidden(verify);

    // Sign out ends the session on the server: the extension's token opens nothing any more.
    const token = await worker.evaluate(async () => {
      const stored = await chrome.storage.session.get('gatehouseSession');
      return (stored.gatehouseSession as { sessionToken: string }).sessionToken;
    });
    await popup.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(popup.getByRole('alert').filter({ hasText: 'You signed out.' }));
    await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
    await screenshot(popup, 'extension-popup-signed-out');
    expect(await storedByExtension()).not.toContain(token);
    const afterSignOut = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(afterSignOut.statusCode).toBe(401);
  });

  it("the server's idle time-out ends the extension's session, and the popup says so", async () => {
    const deviceId = await connectThroughUi();
    await t.database.db
      .updateTable('sessions')
      .set({ idle_expires_at: new Date(testClock.now() - 1_000) })
      .where('device_id', '=', deviceId)
      .execute();
    await popup.reload();
    await expectVisible(popupAlert('The session ended after 2 hours without use.'));
    await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
    await screenshot(popup, 'extension-popup-idle-timeout');
  });

  it('a workspace that stops approving the extension: the connected one is stopped, and it cannot connect again', async () => {
    await connectThroughUi();
    await confirmIdentity(owner, ownerSecret);
    const off = await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { approvedClientApps: [] },
    });
    expect(off.statusCode, off.body).toBe(200);
    try {
      // Stopped at its next request, and told why.
      await popup.reload();
      await expectVisible(popupAlert('Your workspace no longer approves this client app.'));

      // Connecting again: the extension cannot know the workspace before someone approves, so the
      // refusal comes on the approval page, which offers only Deny.
      await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
      const { approval } = await startConnecting();
      await expectVisible(approval.getByRole('alert').filter({ hasText: 'does not approve the browser extension' }));
      await expectHidden(approval.getByRole('button', { name: 'Approve' }));
      await screenshot(approval, 'extension-connect-page-not-approved');
      await approval.getByRole('button', { name: 'Deny' }).click();
      await popup.bringToFront();
      await expectVisible(popupAlert('Your workspace does not approve the browser extension.'), CONNECT_TIMEOUT_MS);
      await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
      await screenshot(popup, 'extension-popup-not-approved');
      await approval.close();
    } finally {
      const on = await owner.request({
        method: 'PATCH',
        url: '/api/v1/workspace/settings',
        payload: { approvedClientApps: ['extension'] },
      });
      expect(on.statusCode, on.body).toBe(200);
    }
  });

  it('a denied code ends with a clear message in the popup', async () => {
    await showConnect();
    const { approval } = await startConnecting();
    await approval.getByRole('button', { name: 'Deny' }).click();
    await expectVisible(approval.getByRole('status').filter({ hasText: 'The connection was denied' }));
    await popup.bringToFront();
    await expectVisible(popupAlert('The connection was denied.'), CONNECT_TIMEOUT_MS);
    await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
    await screenshot(popup, 'extension-popup-denied');
    await approval.close();
  });

  it('an expired code ends with a clear message in the popup', async () => {
    await showConnect();
    await popup.getByRole('button', { name: /^Connect/ }).click();
    await expectVisible(popup.getByLabel('Your code'));
    // The code's 10 minutes run out (moved on in the database rather than on the clock every test shares).
    await t.database.db
      .updateTable('connect_requests')
      .set({ expires_at: new Date(testClock.now() - 1_000) })
      .where('status', '=', 'pending')
      .execute();
    await expectVisible(popupAlert('The code expired before it was approved.'), CONNECT_TIMEOUT_MS);
    await expectVisible(popup.getByRole('button', { name: 'Connect again' }));
    await screenshot(popup, 'extension-popup-expired');
  });
});
