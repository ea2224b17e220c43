import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectPath,
  expectVisible,
  launchBrowser,
  DESKTOP,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { connectClientApp } from '../helpers/vault.js';

/** **Sessions** on Security (issue 11) in a real browser: see where you are signed in and sign out there. */

describeBrowser('sessions in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const owner = await setUpWorkspace(t);
    await connectClientApp(owner, owner, { name: 'Ada laptop extension' });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function signedInPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    await signInThroughUi(page, t.url, OWNER.slug, OWNER);
    await expectHidden(toast(page, 'Signed in'));
    return page;
  }

  const rows = (page: Page) => page.getByRole('table', { name: 'Sessions' }).getByRole('row');

  it('lists browsers and client apps; Sign out and Sign out everywhere else end them at their next request', async () => {
    const other = await signedInPage();
    const page = await signedInPage();
    await page.goto(`${t.url}/app/security`);
    await expectVisible(page.getByRole('heading', { name: 'Sessions' }));
    // The header row, this browser, the other browser, the set-up's API session and the connected extension.
    await expect.poll(() => rows(page).count()).toBe(5);
    await expectVisible(rows(page).filter({ hasText: 'This session' }));
    await expectVisible(rows(page).filter({ hasText: 'Ada laptop extension (browser extension)' }));
    await screenshots(page, 'security-sessions');

    // Sign out the other browser: it is out at its next request.
    const otherRow = rows(page).filter({ hasText: 'Chrome on Linux' }).filter({ hasNotText: 'This session' });
    await otherRow.first().getByRole('button', { name: 'Sign out' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out this session?' });
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(toast(page, 'Signed out Chrome on Linux'));
    await expect.poll(() => rows(page).count()).toBe(4);
    await other.reload();
    await expectPath(other, '/w/acme/sign-in'); // this tab's workspace, saying it was signed out

    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page
      .getByRole('dialog', { name: 'Sign out everywhere else?' })
      .getByRole('button', { name: 'Sign out everywhere else' })
      .click();
    await expectVisible(toast(page, 'Signed out 2 other sessions'));
    await expect.poll(() => rows(page).count()).toBe(2);
    await expectHidden(page.getByRole('button', { name: 'Sign out everywhere else' }));
  });

  it('Notifications: a switch turned off stays off after a reload; security mail cannot be turned off', async () => {
    const page = await signedInPage();
    await page.goto(`${t.url}/app/security#notifications`);
    const section = page.getByRole('region', { name: 'Notifications' });
    const shared = section.getByRole('switch', { name: 'An account is shared with you' });
    const device = section.getByRole('switch', { name: 'A new device waits for your approval' });
    await expectVisible(shared);
    await expect.poll(() => shared.isChecked()).toBe(true);
    await expect.poll(() => device.isChecked()).toBe(true);
    await expect.poll(() => device.isDisabled()).toBe(true);
    await expectVisible(section.getByText('Always sent: about your security.', { exact: false }));
    await screenshots(page, 'security-notifications');

    await shared.click({ force: true });
    await expectVisible(toast(page, 'An account is shared with you: email off'));
    await page.reload();
    await expectVisible(shared);
    await expect.poll(() => shared.isChecked()).toBe(false);
    await expect.poll(() => device.isChecked()).toBe(true);
  });
});
