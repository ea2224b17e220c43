import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  DESKTOP,
  expectNoSidewaysScroll,
  expectVisible,
  launchBrowser,
  PHONE,
  screenshots,
} from '../helpers/browser.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The **Development outbox** (issue 14): a mail's plain-text part wraps inside the page, long links
 * included, on a phone as on a desktop, instead of running off its right edge.
 */
describeBrowser('the development outbox in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    owner = await setUpWorkspace(t);
    const invited = await owner.post('/api/v1/members', { email: 'max@acme.test', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('wraps the plain-text part, its long link included, within the page', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    await context.addCookies([{ name: 'gatehouse_session', value: owner.cookie('gatehouse_session')!, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/app/dev/outbox`);
    const body = page.getByLabel('Text body').first();
    await expectVisible(body);
    expect(await body.textContent()).toContain('/join?token=');
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      const overflow = await body.evaluate((element) => element.scrollWidth - element.clientWidth);
      expect(overflow, `${viewport.width}px`).toBeLessThanOrEqual(0);
    }
    await screenshots(page, 'dev-outbox');
  });

  it('on a phone, shows the HTML part whole, as tall as the mail, and the delivery state uncut', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    await context.addCookies([{ name: 'gatehouse_session', value: owner.cookie('gatehouse_session')!, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/app/dev/outbox`);
    const mail = page.getByRole('article', { name: /invited to join/ });
    const htmlBody = mail.getByTitle(/^HTML body:/);
    await expectVisible(htmlBody);
    const frame = page.frameLocator('iframe[title^="HTML body:"]');
    await expectVisible(frame.getByRole('link', { name: 'Join workspace' }));
    // The frame grows to the mail: nothing scrolls inside it, its last line included.
    await waitFor(
      () =>
        htmlBody.evaluate((element) => {
          const root = (element as HTMLIFrameElement).contentDocument!.documentElement;
          return root.scrollHeight <= root.clientHeight && root.scrollWidth <= root.clientWidth;
        }),
      'the HTML part to fit its frame',
    );
    await expectNoSidewaysScroll(htmlBody);
    await expectVisible(frame.getByText(/you can ignore this email/));
    // The delivery state reads in full, not "S…".
    const state = mail.getByText('sent', { exact: true });
    await expectVisible(state);
    expect(await state.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(0);
  });
});
