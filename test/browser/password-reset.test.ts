import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import { waitForMailTo } from '../helpers/invitation-mail.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/**
 * **Forgot your password?** (SPEC §2a) as a person does it, with real mail: from the sign-in page to the
 * emailed link, a new password with the live checklist, then **Sign in**, which still asks the second
 * factor. The browser that was signed in elsewhere is signed out.
 */

const NEW_PASSWORD = 'lighthouse keepers count the waves';
/** Mail goes through the outbox worker and a real SMTP exchange: allow for a slow machine. */
const MAIL_TIMEOUT_MS = 30_000;

describeBrowser('Forgot your password? in a real browser', { timeout: 2 * BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let smtp: TestSmtpServer;
  let t: TestApp;
  let owner: TestClient;
  let secret: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    secret = (await turnOnMfa(owner)).secret;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    return context.newPage();
  }

  it('from the sign-in page to the mailed link, a new password, and a sign-in that asks the second factor', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(OWNER.email);
    await screenshots(page, 'sign-in-forgot-link');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();

    await expectPath(page, `/w/${OWNER.slug}/forgot-password`);
    await expectVisible(page.getByRole('heading', { name: 'Forgot your password?' }));
    // The username typed on the sign-in page comes along.
    await expectInputValue(page.getByLabel('Email'), OWNER.email);
    await screenshots(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Check your email' }));
    await expectVisible(page.getByRole('status').filter({ hasText: 'If an account with this address exists' }));
    await screenshots(page, 'forgot-password-sent');

    // An unknown address gets the very same page.
    const stranger = await newPage();
    await stranger.goto(`${t.url}/w/${OWNER.slug}/forgot-password`);
    await stranger.getByLabel('Email').fill('nobody@acme.test');
    await stranger.getByRole('button', { name: 'Send reset link' }).click();
    await expectVisible(stranger.getByRole('heading', { name: 'Check your email' }));
    expect(await stranger.getByRole('status').innerText()).toBe(await page.getByRole('status').innerText());

    const mail = await waitForMailTo(smtp, OWNER.email, 1, MAIL_TIMEOUT_MS);
    expect(mail.subject).toBe('Reset your Gatehouse password');
    const href = /<a\s[^>]*href="([^"]+)"[^>]*>\s*Choose a new password\s*<\/a>/.exec(mail.html)?.[1];
    expect(href?.startsWith(`${t.url}/w/${OWNER.slug}/reset-password?token=`)).toBe(true);
    expect(mail.text).toContain(href!);

    await page.goto(href!);
    await expectVisible(page.getByRole('heading', { name: 'Choose a new password' }));
    const policy = page.getByRole('list', { name: 'Password policy' });
    const lengthRule = policy.getByRole('listitem').filter({ hasText: 'At least 12 characters' });
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await expectVisible(lengthRule.filter({ hasText: '(not met)' }));
    await page.getByLabel('Confirm new password').fill('too short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expectVisible(page.getByText('Use at least 12 characters.'));
    await screenshots(page, 'reset-password');

    // Long enough is not enough: the page's estimator (the server's, too) finds password1234 easy to guess.
    const guessRule = policy.getByRole('listitem').filter({ hasText: 'Hard to guess' });
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await expectVisible(lengthRule.filter({ hasText: '(met)' }).filter({ hasNotText: 'not met' }));
    await expectVisible(guessRule.filter({ hasText: '(not met)' }));
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await expectVisible(lengthRule.filter({ hasText: '(met)' }).filter({ hasNotText: 'not met' }));
    await expectVisible(guessRule.filter({ hasText: '(met)' }).filter({ hasNotText: 'not met' }));
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Your password was changed' }));
    await screenshots(page, 'reset-password-done');
    // The owner's other session (the API client that set the workspace up) ended.
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(401);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await expectPath(page, `/w/${OWNER.slug}/sign-in`);
    await expectInputValue(page.getByLabel('Username'), OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign In' }).click();
    // The reset never skips the second factor.
    await expectVisible(page.getByLabel('Authentication Code'));
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));

    // The link worked once.
    const again = await newPage();
    await again.goto(href!);
    await expectVisible(again.getByRole('heading', { name: 'This reset link was already used' }));
    await expectVisible(again.getByRole('link', { name: 'Sign in' }));
    await expectVisible(again.getByRole('link', { name: 'Send a new link' }));
    await screenshots(again, 'reset-password-used');
  });
});
