/// <reference types="chrome" />
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { BROWSER_TEST_TIMEOUT_MS, describeBrowser } from '../helpers/browser.js';
import { CHROMIUM_PATH } from '../helpers/requirements.js';

/**
 * The built extension (extension/dist/, built by `npm test` or the global set-up) loads in Chromium: its
 * service worker starts, the popup asks for the **Gatehouse address** and keeps it in session storage
 * only, and the content script says which login fields its page shows and fills them when the service
 * worker asks, only while the page is at the origin it was asked for. Connecting, the icon's count and
 * **Fill** with a Gatehouse server are in extension-story.test.ts.
 */

const EXTENSION_DIR = path.resolve('extension/dist');

const LOGIN_PAGE = `<!doctype html><title>Example sign-in</title>
  <form><label>Username <input name="login" autocomplete="username"></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button>Sign in</button></form>`;

describeBrowser('the browser extension', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let site: http.Server;
  let siteUrl: string;
  let profileDir: string;
  let context: BrowserContext;
  let worker: Worker;
  let extensionId: string;

  beforeAll(async () => {
    site = http.createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(LOGIN_PAGE);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-extension-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--headless=new',
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
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
  });

  afterAll(async () => {
    await context?.close();
    site?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  });

  it('asks for the Gatehouse address and keeps it in session storage only', async () => {
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    const address = popup.getByLabel('Gatehouse address');

    await address.fill('http://gatehouse.example.com');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => popup.getByRole('alert').textContent())
      .toBe('Use an https:// address: plain http is only accepted for localhost.');

    await address.fill('gatehouse.example.com/app/accounts');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => popup.locator('#current-address').textContent()).toBe('https://gatehouse.example.com');
    expect(await popup.getByRole('status').textContent()).toMatch(/^Not connected\./);

    const stored = await worker.evaluate(async () => ({
      session: await chrome.storage.session.get(null),
      local: await chrome.storage.local.get(null),
    }));
    expect(stored).toEqual({ session: { gatehouseAddress: 'https://gatehouse.example.com' }, local: {} });

    await popup.reload();
    await expect.poll(() => popup.locator('#current-address').textContent()).toBe('https://gatehouse.example.com');
    await popup.getByRole('button', { name: 'Change address' }).click();
    await expect.poll(() => address.inputValue()).toBe('https://gatehouse.example.com');
    await popup.close();
  });

  it("finds and fills a page's login form when the service worker asks, and nothing for another origin", async () => {
    const page = await context.newPage();
    await page.goto(`${siteUrl}/login`);
    const send = (message: object) =>
      worker.evaluate(
        async ({ url, message }) => {
          const [tab] = await chrome.tabs.query({ url: `${url}/*` });
          return chrome.tabs.sendMessage(tab!.id!, message, { frameId: 0 });
        },
        { url: siteUrl, message },
      );
    const fill = (origin: string) => send({ type: 'fill', origin, username: 'alice', password: 'correct horse' });

    // (Polled: the content script starts once the page is idle, and answers from then on.)
    await expect
      .poll(() => send({ type: 'detect' }))
      .toEqual({
        type: 'detected',
        origin: siteUrl,
        fields: { username: true, password: true, oneTimeCode: false },
        ancestorOrigins: [],
      });
    expect(await fill('https://evil.test')).toEqual({ type: 'refused', reason: 'origin-changed' });
    expect(await page.locator('[name=password]').inputValue()).toBe('');

    expect(await fill(siteUrl)).toEqual({
      type: 'filled',
      filled: { username: true, password: true, oneTimeCode: false },
    });
    expect(await page.locator('[name=login]').inputValue()).toBe('alice');
    expect(await page.locator('[name=password]').inputValue()).toBe('correct horse');
    await page.close();
  });
});
