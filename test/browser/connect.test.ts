import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  DESKTOP,
  screenshots,
  toast,
} from '../helpers/browser.js';

/**
 * **Connect the browser extension** (/app/connect, SPEC §7a) in a real browser: the page a client app
 * opens with its code. The client app here is an API client without cookies, as the extension is.
 */

describeBrowser('connecting a client app in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  let extension: TestClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    owner = await setUpWorkspace(t);
    // The extension calls from the browser it lives in, so the device name names that browser.
    extension = t.client({
      userAgent:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    return context.newPage();
  }

  async function start(): Promise<{ deviceCode: string; userCode: string; verificationUriComplete: string }> {
    const response = await extension.post('/api/v1/connect/start', { kind: 'extension' });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  /** Polls as the RFC says, after the interval (the test clock moves on instead of waiting). */
  const poll = async (deviceCode: string) => {
    testClock.advance(5_000);
    return (await extension.post('/api/v1/connect/token', { deviceCode })).json();
  };

  /** Signs in on the page the sign-in form leads to, after the app sent a signed-out person there. */
  async function signInFromRedirect(page: Page): Promise<void> {
    await expectPath(page, '/login');
    await page.getByLabel('Workspace name').fill(OWNER.slug);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Username').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
  }

  it('a signed-out person signs in and comes back to the code; Approve connects the extension', async () => {
    const { deviceCode, userCode } = await start();
    const page = await newPage();
    await page.goto(`${t.url}/app/connect?code=${userCode}`);
    await signInFromRedirect(page);

    await expectVisible(page.getByRole('heading', { name: 'Connect the browser extension' }));
    await expectPath(page, '/app/connect');
    await expectVisible(page.getByText(userCode, { exact: true }));
    await expectInputValue(page.getByLabel('Device name'), 'ada Chrome extension - Linux');
    await expectVisible(page.getByText(`after you approve, we email a code to ${OWNER.email}`, { exact: false }));
    await expectHidden(toast(page, 'Signed in'));
    await screenshots(page, 'connect-request');
    expect((await poll(deviceCode)).error).toBe('authorization_pending');

    await page.getByLabel('Device name').fill('Ada work laptop');
    await page.getByRole('button', { name: 'Approve' }).click();
    const approved = page.getByRole('status').filter({ hasText: 'Approved' });
    await expectVisible(approved);
    expect(await approved.textContent()).toContain(
      `“Ada work laptop” is connected. To make it a trusted device, enter the code we emailed to ${OWNER.email} in it.`,
    );
    await screenshots(page, 'connect-approved');
    const connected = await poll(deviceCode);
    expect(connected).toMatchObject({ device: { name: 'Ada work laptop', status: 'pending_verification' } });
  });

  it('Deny tells the extension; an unknown code says so and lets the person type the right one', async () => {
    const { deviceCode, userCode } = await start();
    const page = await newPage();
    await page.goto(`${t.url}/app/connect?code=BCDF-BCDF`);
    await signInFromRedirect(page);
    const notFound = page
      .getByRole('alert')
      .filter({ hasText: 'This code is not valid, was already used, or has expired.' });
    await expectVisible(notFound);
    await expectHidden(toast(page, 'Signed in'));
    await screenshots(page, 'connect-code-not-found');
    await page.getByLabel('Code').fill(userCode.toLowerCase());
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Connect the browser extension' }));

    await page.getByRole('button', { name: 'Deny' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'The connection was denied' }));
    await screenshots(page, 'connect-denied');
    expect(await poll(deviceCode)).toMatchObject({ error: 'access_denied' });
  });

  it('says so when the workspace does not approve the extension, and offers only Deny', async () => {
    const settings = await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { approvedClientApps: [] },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const { deviceCode, userCode } = await start();
    const page = await newPage();
    await page.goto(`${t.url}/app/connect?code=${userCode}`);
    await signInFromRedirect(page);
    await expectVisible(
      page.getByRole('alert').filter({ hasText: 'Your workspace does not approve the browser extension.' }),
    );
    await expectHidden(page.getByRole('button', { name: 'Approve' }));
    await expectHidden(page.getByLabel('Device name'));
    await expectHidden(toast(page, 'Signed in'));
    await screenshots(page, 'connect-not-approved');
    await page.getByRole('button', { name: 'Deny' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'The connection was denied' }));
    expect(await poll(deviceCode)).toMatchObject({
      error: 'access_denied',
      detail:
        'Your workspace does not approve the browser extension. A workspace admin can approve it under Workspace settings, in Approved client apps.',
    });
    await owner.request({
      method: 'PATCH',
      url: '/api/v1/workspace/settings',
      payload: { approvedClientApps: ['extension'] },
    });
  });
});
