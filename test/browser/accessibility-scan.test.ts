import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectNoAxeViolations } from '../helpers/axe.js';
import { BROWSER_TEST_TIMEOUT_MS, describeBrowser, launchBrowser } from '../helpers/browser.js';

/**
 * The accessibility scan every browser test runs with its screenshots (test/helpers/axe.ts): it fails on a
 * serious or critical WCAG 2.2 AA violation and says what and where, it runs under a strict
 * Content-Security-Policy like the app's, and it leaves the API's Swagger UI alone.
 */

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'";

describeBrowser('the accessibility scan', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    // Pages served with the app's script policy: no inline script, no eval.
    await page.route('https://gatehouse.test/**', async (route) => {
      const path = new URL(route.request().url()).pathname;
      const body = path.endsWith('/bad')
        ? '<p style="color:#999">Grey on white</p><button></button>'
        : '<h1>Fine</h1><p>Black on white</p><button>Save</button>';
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/html', 'content-security-policy': CSP },
        body: `<!doctype html><html lang="en"><head><title>Page</title></head><body><main>${body}</main></body></html>`,
      });
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('passes a page without violations under a strict Content-Security-Policy', async () => {
    await page.goto('https://gatehouse.test/good');
    await expectNoAxeViolations(page, 'good');
  });

  it('fails on serious and critical violations, naming the rule, the element and why', async () => {
    await page.goto('https://gatehouse.test/bad');
    const error = await expectNoAxeViolations(page, 'bad').then(
      () => null,
      (thrown: Error) => thrown,
    );
    expect(error?.message).toContain('Accessibility scan of "bad"');
    expect(error?.message).toContain('color-contrast (serious)');
    expect(error?.message).toContain('button-name (critical)');
    expect(error?.message).toMatch(/at p: .*contrast of 2\.84/);
  });

  it('does not scan the Swagger UI at /api/docs, which is third-party', async () => {
    await page.goto('https://gatehouse.test/api/docs/bad');
    await expectNoAxeViolations(page, 'api docs');
  });
});
