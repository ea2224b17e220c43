import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  accessibleDescription,
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectClickable,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';

/** The owner as typed into the set-up form; the URL name is derived from the workspace name. */
const OWNER = {
  workspaceName: 'Acme Inc',
  slug: 'acme-inc',
  displayName: 'Ada Owner',
  email: 'ada@acme.test',
  password: 'correct horse battery staple',
} as const;

async function setUpThroughApi(t: TestApp): Promise<void> {
  const response = await t.client().post('/api/v1/setup', OWNER);
  if (response.statusCode !== 201) throw new Error(`set-up failed: ${response.statusCode} ${response.body}`);
}

describeBrowser('onboarding in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  /** For every test, a server with its own fresh database, and a fresh browser (cookies, storage). */
  beforeEach(async () => {
    t = await createTestApp({ listen: true });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await t?.close();
  });

  describe('first run', () => {
    it('walks a person through first-run set-up into the app', async () => {
      await page.goto(`${t.url}/`);
      await expectPath(page, '/setup');
      await expectVisible(page.getByRole('heading', { name: 'Create your workspace' }));

      await page.getByLabel('Workspace name').fill(OWNER.workspaceName);
      await expectInputValue(page.getByLabel('Workspace URL name'), 'acme-inc');
      await page.getByLabel('Your name').fill(OWNER.displayName);
      await page.getByLabel('Your email').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await screenshots(page, 'setup');
      await page.getByRole('button', { name: 'Create workspace' }).click();

      await expectPath(page, '/app');
      await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
      await expectVisible(toast(page, 'Workspace created'));
      // The toast must not cover the header: Sign out stays within reach while it shows.
      await expectClickable(page.getByRole('button', { name: 'Sign out' }));
      await expectVisible(page.getByText(`You are signed in to the ${OWNER.workspaceName} workspace.`));
      await screenshots(page, 'dashboard');

      // Signed in for real: a reload keeps the person in the app, and the set-up is not offered again.
      await page.reload();
      await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
      await page.goto(`${t.url}/setup`);
      await expectVisible(page.getByText('This Gatehouse already has a workspace.'));
      await expectHidden(page.getByRole('button', { name: 'Create workspace' }));
    });

    it('shows the password rule under the Password field when set-up refuses it', async () => {
      await page.goto(`${t.url}/setup`);
      await page.getByLabel('Workspace name').fill(OWNER.workspaceName);
      await page.getByLabel('Your name').fill(OWNER.displayName);
      await page.getByLabel('Your email').fill(OWNER.email);
      const password = page.getByLabel('Password', { exact: true });
      await password.fill('too short');
      await page.getByRole('button', { name: 'Create workspace' }).click();

      await expectVisible(page.getByText('Use at least 12 characters.'));
      expect(await accessibleDescription(password)).toContain('Use at least 12 characters.');
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      await expectPath(page, '/setup');
      await expectVisible(page.getByRole('heading', { name: 'Create your workspace' }));
      // What the person typed is still there to correct.
      await expectInputValue(page.getByLabel('Your email'), OWNER.email);
      expect(await (await page.request.get(`${t.url}/api/v1/setup`)).json()).toEqual({ needsSetup: true });

      // Fields left empty: each says so under itself, and the alert above speaks words, not API paths (issue 14).
      await page.getByLabel('Workspace name').fill('');
      await page.getByLabel('Workspace URL name').fill('');
      await page.getByRole('button', { name: 'Create workspace' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Check' });
      await expectVisible(alert);
      expect(await alert.innerText()).not.toMatch(/workspaceName|slug:/);
      expect(await page.locator('body').innerText()).not.toContain('workspaceName');
      await screenshots(page, 'setup-fields-refused');

      // Members signing in through the company's identity provider: its issuer URL is then required.
      await page.getByLabel('Workspace name').fill(OWNER.workspaceName);
      await password.fill(OWNER.password);
      await page.getByRole('radio', { name: "Through your company's identity provider (OpenID Connect)" }).check();
      await page.getByRole('button', { name: 'Create workspace' }).click();
      const issuerRule = 'A workspace in idp mode needs the issuer URL of its identity provider.';
      await expectVisible(page.getByText(issuerRule));
      expect(await accessibleDescription(page.getByLabel('Issuer URL'))).toContain(issuerRule);
      // Said once, under the field; the alert above points there instead of repeating it.
      expect(await page.getByText(issuerRule).count()).toBe(1);
      await expectVisible(page.getByRole('alert').filter({ hasText: 'Check the fields marked below.' }));
      await screenshots(page, 'setup-idp-mode');
    });
  });

  describe('with a workspace set up', () => {
    beforeEach(async () => {
      await setUpThroughApi(t);
    });

    it('signs out, then finds the workspace by name and signs back in', async () => {
      await signInThroughUi(page, t.url, OWNER.slug, OWNER);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await expectVisible(page.getByRole('heading', { name: `Sign in to ${OWNER.workspaceName}` }));
      await expectVisible(toast(page, 'Signed out'));

      await page.goto(`${t.url}/login`);
      await expectVisible(page.getByRole('heading', { name: "Let's find your workspace" }));
      await page.getByLabel('Workspace name').fill(OWNER.workspaceName);
      await page.getByRole('button', { name: 'Next' }).click();
      // The waiting page sends a local-mode workspace straight on to its sign-in page.
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await expectVisible(page.getByRole('heading', { name: `Sign in to ${OWNER.workspaceName}` }));

      await page.getByLabel('Username').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await expectPath(page, '/app');
      await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
      await expectVisible(toast(page, 'Signed in'));
    });

    it('tells a person who mistypes the workspace name that there is none', async () => {
      await page.goto(`${t.url}/login`);
      await page.getByLabel('Workspace name').fill('Acme Incorporated');
      await page.getByRole('button', { name: 'Next' }).click();
      await expectVisible(page.getByText('No workspace with that name.'));
      await expectPath(page, '/login');
    });

    it('refuses a wrong password without opening a session', async () => {
      await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
      await page.getByLabel('Username').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Sign In' }).click();

      const alert = page.getByRole('alert').filter({ hasText: 'Wrong username or password.' });
      await expectVisible(alert);
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await expectVisible(page.getByRole('heading', { name: `Sign in to ${OWNER.workspaceName}` }));
      // The password is cleared for the next attempt; the username is kept.
      await expectInputValue(page.getByLabel('Password', { exact: true }), '');
      await expectInputValue(page.getByLabel('Username'), OWNER.email);

      await page.goto(`${t.url}/app`);
      await expectPath(page, '/login');
      await expectVisible(page.getByRole('heading', { name: "Let's find your workspace" }));
      expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
    });

    it('ends the session on sign-out: neither the back button nor the old cookie gets back in', async () => {
      await signInThroughUi(page, t.url, OWNER.slug, OWNER);
      // One more page in the history, so that "back" after signing out lands on the app again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await expectVisible(page.getByRole('heading', { name: 'Members' }));
      const sessionCookies = (await context.cookies()).filter((cookie) => cookie.name.includes('session'));
      expect(sessionCookies).toHaveLength(1);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await expectVisible(page.getByRole('heading', { name: `Sign in to ${OWNER.workspaceName}` }));

      await page.goBack();
      await expectPath(page, '/login');
      await expectVisible(page.getByRole('heading', { name: "Let's find your workspace" }));
      await expectHidden(page.getByRole('heading', { name: /Welcome/ }));

      // Even with the old cookie put back, the server no longer knows the session.
      await context.addCookies(sessionCookies);
      await page.goto(`${t.url}/app`);
      await expectPath(page, '/login');
      await expectHidden(page.getByRole('heading', { name: /Welcome/ }));
      expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
    });
  });

  it('renders the OpenAPI docs at /api/docs without errors (the Content-Security-Policy allows Swagger UI)', async () => {
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await page.goto(`${t.url}/api/docs`);
    // Swagger UI is 1.5 MB of JavaScript: allow for a slow, busy machine.
    await expectVisible(page.getByRole('heading', { name: /Gatehouse API/ }), 40_000);
    await expectVisible(page.getByText('Sign in with username and password'));
    await screenshots(page, 'api-docs');
    // A Content-Security-Policy that blocked Swagger UI's scripts or styles would show up here.
    expect(consoleErrors).toEqual([]);
  });
});
