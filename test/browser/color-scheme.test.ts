import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { BROWSER_TEST_TIMEOUT_MS, describeBrowser, expectVisible, launchBrowser } from '../helpers/browser.js';

/**
 * Dark mode follows the system (issue 14), from the first paint: the sign-in page the server renders ahead
 * is dark before any of the app's scripts has run, so it does not flash light and then turn dark.
 */
describeBrowser('the colour scheme in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    await setUpWorkspace(t);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The page's background and the scheme on <html>, with the app's scripts held back. */
  async function firstPaint(colorScheme: 'light' | 'dark') {
    const context = await browser.newContext({ colorScheme });
    try {
      const page = await context.newPage();
      // Only the HTML and its inline colour-scheme script: what the browser can paint before the app starts.
      await page.route('**/assets/*.js', (route) => route.abort());
      await page.goto(`${t.url}/w/acme/sign-in`);
      await expectVisible(page.getByLabel('Password', { exact: true }));
      return await page.evaluate(() => ({
        scheme: document.documentElement.getAttribute('data-mantine-color-scheme'),
        background: getComputedStyle(document.body).backgroundColor,
      }));
    } finally {
      await context.close();
    }
  }

  it('paints the pre-rendered sign-in page dark on a dark system, and light on a light one, before the scripts', async () => {
    const dark = await firstPaint('dark');
    expect(dark.scheme).toBe('dark');
    expect(dark.background).toBe('rgb(36, 36, 36)'); // Mantine's dark body, dark.7
    const light = await firstPaint('light');
    expect(light.scheme).toBe('light');
    expect(light.background).toBe('rgb(255, 255, 255)');
  });
});
