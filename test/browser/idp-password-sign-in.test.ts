import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  DESKTOP,
  expectHidden,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import { freshCode } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD } from '../helpers/partners.js';

/**
 * SPEC §2b in a real browser: in an idp workspace a member's password sign-in says to use the company
 * account (with a way there), and the owner's break-glass sign-in lands on Security, with nothing else
 * reachable until MFA is on.
 */

describeBrowser('password sign-in in an idp workspace', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const owner = await setUpWorkspace(t);
    await addMember(owner, 'mia@acme.test');
    await t.database.db
      .updateTable('workspaces')
      .set({ mode: 'idp', idp_issuer: 'https://idp.acme.test', idp_client_id: 'gatehouse' })
      .execute();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  async function signInWithPassword(username: string, password: string): Promise<void> {
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign In' }).click();
  }

  it("tells a member to sign in with their company account, and links to the workspace's sign-in", async () => {
    await signInWithPassword('mia@acme.test', MEMBER_PASSWORD);
    await expectVisible(
      page.getByRole('alert').getByText(/signs its members in through the company's identity provider/),
    );
    const link = page.getByRole('link', { name: 'Sign in with your company account' });
    await expectVisible(link);
    expect(await link.getAttribute('href')).toBe(`/w/${OWNER.slug}`);
    await screenshots(page, 'idp-member-password-refused');
    await expectPath(page, `/w/${OWNER.slug}/sign-in`);
  });

  it('sends the owner to Security to turn on MFA before anything else, then lets them in', async () => {
    await signInWithPassword(OWNER.email, OWNER.password);
    await expectPath(page, '/app/security');
    await expectVisible(page.getByText('Turn on MFA first'));
    await expectHidden(page.getByRole('navigation', { name: 'Main' }));
    await screenshots(page, 'idp-break-glass-mfa-first');

    // Another page is not reachable: back to Security.
    await page.goto(`${t.url}/app/accounts`);
    await expectPath(page, '/app/security');

    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await page.getByRole('button', { name: "Can't scan? Enter this key" }).click();
    const secret = (await page.getByLabel('Key', { exact: true }).inputValue()).replace(/\s/g, '');
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    // The recovery codes stay on screen though the session has just been let through.
    await expectVisible(page.getByRole('list', { name: 'Recovery codes' }));
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await expectVisible(page.getByRole('navigation', { name: 'Main' }));
    await expectHidden(page.getByText('Turn on MFA first'));
  });
});
