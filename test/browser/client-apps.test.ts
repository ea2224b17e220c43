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
  screenshot,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';

/**
 * SPEC §7a in the web app: the setup checklist leads to **Install the client apps**, which explains the
 * browser extension, offers its download and the steps to load it, and says which client apps the
 * workspace approves; an admin changes **Approved client apps** in the workspace settings.
 */

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describeBrowser('client apps in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    await setUpWorkspace(t);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function ownerPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    await signInThroughUi(page, t.url, OWNER.slug, OWNER);
    // The screenshots show the pages, not the sign-in toast over them.
    await expectHidden(toast(page, 'Signed in'));
    return page;
  }

  /** A full-page screenshot at the desktop size and at a phone's, back at the desktop size after. */
  async function screenshots(page: Page, name: string): Promise<void> {
    await screenshot(page, `${name}-1280x800`);
    await page.setViewportSize(PHONE);
    await screenshot(page, `${name}-390x844`);
    await page.setViewportSize(DESKTOP);
  }

  it('the checklist leads to Install the client apps: what the extension does, its download and the steps', async () => {
    const page = await ownerPage();
    const checklist = page.getByRole('region', { name: 'Set up your account' });
    await expectVisible(checklist);
    await expect.poll(() => checklist.getByText('Coming soon').count()).toBe(0);
    await checklist.getByRole('link', { name: 'Install the client apps' }).click();
    await expectPath(page, '/app/client-apps');
    await expectVisible(page.getByRole('heading', { name: 'Install the client apps', level: 1 }));

    const extension = page.getByRole('region', { name: 'Browser extension' });
    await expectVisible(extension.getByText(/fills the username, password and TOTP code/));
    await expectVisible(extension.getByText(/never shows you the password/));
    const download = extension.getByRole('link', { name: 'Download the browser extension' });
    await expectVisible(download);
    expect(await download.getAttribute('download')).toBe('gatehouse-extension.zip');
    const href = await download.getAttribute('href');
    expect(href).toBe('/downloads/gatehouse-extension.zip');

    const steps = extension.getByRole('list', { name: 'Load it in Chrome, Edge or Brave' }).getByRole('listitem');
    await expect.poll(() => steps.count()).toBe(5);
    const texts = (await steps.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
    expect(texts[0]).toMatch(/^Unzip gatehouse-extension\.zip/);
    expect(texts[1]).toContain('chrome://extensions');
    expect(texts[1]).toContain('edge://extensions');
    expect(texts[1]).toContain('brave://extensions');
    expect(texts[2]).toBe('Turn on Developer mode.');
    expect(texts[3]).toBe('Choose Load unpacked and pick the folder you unzipped.');
    expect(texts[4]).toContain(t.url);

    const approved = page.getByRole('region', { name: 'Approved in Acme Inc' });
    // The badges are in capitals on screen (CSS); the text is what a screen reader reads.
    const items = (await approved.getByRole('listitem').allInnerTexts()).map((text) =>
      text.replace(/\s+/g, ' ').toLowerCase(),
    );
    expect(items).toEqual(['browser extension approved', 'command line not approved']);

    // The button's link hands out the built extension.
    const zip = await page.request.get(new URL(href!, t.url).toString());
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');
    expect((await zip.body()).subarray(0, 4).toString('binary')).toBe('PK\u0003\u0004');

    await screenshots(page, 'client-apps-install');
  });

  it('an admin changes Approved client apps; without the extension approved, the page says so and offers no download', async () => {
    const page = await ownerPage();
    await page.getByRole('link', { name: 'Workspace settings' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Workspace settings' }));
    const group = page.getByRole('group', { name: 'Approved client apps' });
    await expectVisible(group);
    const extension = group.getByRole('checkbox', { name: 'Browser extension' });
    const commandLine = group.getByRole('checkbox', { name: 'Command line' });
    expect(await extension.isChecked()).toBe(true);
    expect(await commandLine.isChecked()).toBe(false);
    await screenshots(page, 'client-apps-settings');

    await extension.uncheck();
    await commandLine.check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectVisible(toast(page, 'Settings saved'));
    const stored = await t.database.db
      .selectFrom('workspaces')
      .select('approved_client_apps')
      .executeTakeFirstOrThrow();
    expect(stored.approved_client_apps).toEqual(['cli']);

    await page.goto(`${t.url}/app/client-apps`);
    await expectVisible(page.getByRole('heading', { name: 'Install the client apps', level: 1 }));
    const notApproved = page
      .getByRole('alert')
      .filter({ hasText: 'Your workspace has not approved the browser extension' });
    await expectVisible(notApproved);
    await expectHidden(page.getByRole('link', { name: 'Download the browser extension' }));
    const approved = page.getByRole('region', { name: 'Approved in Acme Inc' });
    const items = (await approved.getByRole('listitem').allInnerTexts()).map((text) =>
      text.replace(/\s+/g, ' ').toLowerCase(),
    );
    expect(items).toEqual(['browser extension not approved', 'command line approved']);
    await screenshots(page, 'client-apps-not-approved');

    // Back to the default, from the settings page again.
    await page.getByRole('link', { name: 'Workspace settings' }).first().click();
    await expectVisible(page.getByRole('group', { name: 'Approved client apps' }));
    await page.getByRole('checkbox', { name: 'Browser extension' }).check();
    await page.getByRole('checkbox', { name: 'Command line' }).uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectVisible(toast(page, 'Settings saved'));
    const restored = await t.database.db
      .selectFrom('workspaces')
      .select('approved_client_apps')
      .executeTakeFirstOrThrow();
    expect(restored.approved_client_apps).toEqual(['extension']);
  });
});
