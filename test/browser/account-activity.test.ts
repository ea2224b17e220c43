import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectVisible,
  launchBrowser,
  DESKTOP,
  screenshots,
  toast,
} from '../helpers/browser.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { ACCOUNT, clientAppHeaders, connectClientApp, trustDevice } from '../helpers/vault.js';

/**
 * An account's **Activity** tab (SPEC §8, issue 9): its owner sees who used it, and each password handed
 * out for autofill names the device (the browser extension) it went to.
 */

describeBrowser("an account's activity in a real browser", { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  let accountId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    owner = await setUpWorkspace(t);
    await turnOnMfa(owner);
    await trustDevice(owner, owner, { name: 'Ada browser' });
    accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    const extension = await connectClientApp(owner, owner, { name: 'Ada laptop extension' });
    const filled = await owner.post(`/api/v1/accounts/${accountId}/autofill`, {}, clientAppHeaders(extension));
    expect(filled.statusCode, filled.body).toBe(200);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('shows the owner each delivery with the device it went to', async () => {
    const context = await browser.newContext({
      viewport: DESKTOP,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    contexts.push(context);
    const page = await context.newPage();
    // The owner has MFA on: the test signs in through the API and hands the browser the session cookie.
    const cookie = owner.cookie('gatehouse_session')!;
    await context.addCookies([{ name: 'gatehouse_session', value: cookie, url: t.url }]);
    await page.goto(`${t.url}/app/accounts/${accountId}`);
    await expectVisible(page.getByRole('heading', { name: ACCOUNT.name }));
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expectVisible(
      page.getByText(
        `${OWNER.displayName} had the password of ${ACCOUNT.name} filled in by a client app on “Ada laptop extension”.`,
      ),
    );
    await expectVisible(page.getByText(`${OWNER.displayName} added the account ${ACCOUNT.name}.`));
    await expectHidden(toast(page, 'Signed in'));
    await screenshots(page, 'account-activity');
  });
});
