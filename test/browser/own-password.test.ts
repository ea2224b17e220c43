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
  toast,
} from '../helpers/browser.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';

/** **Change password** on Security (issue 11) in a real browser: other browsers are signed out. */

const NEW_PASSWORD = 'a completely new owner password';

describeBrowser('changing one’s own password in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let secret: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const owner = await setUpWorkspace(t);
    secret = (await turnOnMfa(owner)).secret;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function signedInPage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: DESKTOP,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await expectHidden(toast(page, 'Signed in'));
    return page;
  }

  it('asks for the current password and the rules, then signs out the other browser', async () => {
    const other = await signedInPage();
    const page = await signedInPage();
    await page.goto(`${t.url}/app/security`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Enter new password again').fill(NEW_PASSWORD);
    await screenshots(page, 'security-change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectVisible(page.getByText('This is not your current password.'));

    await page.getByLabel('Current password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectVisible(toast(page, 'Password changed. 2 other sessions were signed out.'));
    await expectHidden(page.getByLabel('Current password'));

    await other.reload();
    await expectPath(other, '/w/acme/sign-in'); // this tab's workspace, saying it was signed out
    expect(
      (
        await t.client().post('/api/v1/auth/sign-in', {
          workspace: OWNER.slug,
          username: OWNER.email,
          password: NEW_PASSWORD,
        })
      ).statusCode,
    ).toBe(200);
  });
});
