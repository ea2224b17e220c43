import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expectNoAxeViolations } from './axe.js';
import { CHROMIUM_PATH, chromiumAvailable, isRequired } from './requirements.js';
import { waitFor } from './wait.js';

/**
 * Browser tests run in Debian's Chromium. Locally without it the file is skipped (the global set-up
 * prints a notice); where browsers are required (CI=true) it runs and fails loudly instead.
 */
export const describeBrowser = describe.skipIf(!chromiumAvailable() && !isRequired('browser'));

/** One browser per test file; each test opens its own fresh context (cookies, storage) from it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser story takes several steps of up to UI_TIMEOUT_MS each; on a busy machine 30 s is too
 * tight for the whole story. Pass it to describeBrowser: `describeBrowser(name, { timeout }, fn)`.
 */
export const BROWSER_TEST_TIMEOUT_MS = 60_000;

/** How long the polling helpers wait for the page to reach the expected state. */
export const UI_TIMEOUT_MS = 10_000;

/** What the page shows, shortened, to explain a failed expectation (a blank page, an error page…). */
async function pageSummary(page: Page): Promise<string> {
  const text = await page
    .locator('body')
    .innerText({ timeout: 1_000 })
    .catch(() => '(no text)');
  const shown = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  return `page: ${page.url()}, showing: "${shown || '(nothing)'}"`;
}

/** Waits until the element is visible (Vitest's expect does not auto-wait); fails with a readable message. */
export async function expectVisible(locator: Locator, timeout = UI_TIMEOUT_MS): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (error) {
    throw new Error(
      `Expected ${locator} to be visible within ${timeout} ms (${await pageSummary(locator.page())}).\n${(error as Error).message}`,
    );
  }
}

/**
 * Checks that a person could click the element right now: visible, enabled, and not covered by
 * something else (a toast, an overlay). Playwright's trial click runs those checks without clicking.
 */
export async function expectClickable(locator: Locator, timeout = 3_000): Promise<void> {
  try {
    await locator.click({ trial: true, timeout });
  } catch (error) {
    throw new Error(
      `Expected ${locator} to be clickable within ${timeout} ms (is something covering it?).\n${(error as Error).message}`,
    );
  }
}

/**
 * Checks that nothing scrolls sideways: neither the page nor any box around the element (a table's scroll
 * container), and that the element itself fits in the window's width, as on a phone it must.
 */
export async function expectNoSidewaysScroll(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  const problems = await locator.first().evaluate((element) => {
    const found: string[] = [];
    const width = document.documentElement.clientWidth;
    const box = element.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1) found.push(`it spans ${box.left}–${box.right} px of ${width} px`);
    for (let node: Element | null = element; node; node = node.parentElement) {
      const scrolls = node === document.documentElement || getComputedStyle(node).overflowX !== 'visible';
      if (scrolls && node.scrollWidth > node.clientWidth + 1) {
        found.push(
          `<${node.tagName.toLowerCase()} class="${node.className}"> is ${node.scrollWidth} px wide in ${node.clientWidth} px`,
        );
      }
    }
    return found;
  });
  if (problems.length > 0) throw new Error(`Expected ${locator} not to scroll sideways, but ${problems.join('; ')}.`);
}

/** Checks that the element is within the window's width (scrolled to vertically first), not cut off at a side. */
export async function expectWithinWidth(locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded({ timeout: UI_TIMEOUT_MS });
  const box = await locator.boundingBox();
  const width = await locator.page().evaluate(() => document.documentElement.clientWidth);
  if (!box || box.x < 0 || box.x + box.width > width) {
    throw new Error(`Expected ${locator} to be within the window's ${width} px, but it is at ${JSON.stringify(box)}.`);
  }
}

/** Waits until no matching element is visible (absent or hidden). */
export async function expectHidden(locator: Locator, timeout = UI_TIMEOUT_MS): Promise<void> {
  try {
    await locator.filter({ visible: true }).first().waitFor({ state: 'hidden', timeout });
  } catch {
    throw new Error(`Expected ${locator} to be hidden within ${timeout} ms (${await pageSummary(locator.page())}).`);
  }
}

/** Waits until a form field holds the expected value (React may update it a tick later). */
export async function expectInputValue(locator: Locator, expected: string, timeout = UI_TIMEOUT_MS): Promise<void> {
  let actual = '';
  try {
    await waitFor(
      async () => (actual = await locator.inputValue({ timeout })) === expected,
      `${locator} to hold "${expected}"`,
      timeout,
    );
  } catch {
    throw new Error(`Expected ${locator} to hold "${expected}" but it holds "${actual}".`);
  }
}

/**
 * The field's accessible description: the texts its aria-describedby points at (hint and error
 * message), which is what a screen reader announces with the field and what shows under it.
 */
export function accessibleDescription(locator: Locator): Promise<string> {
  return locator.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => element.ownerDocument.getElementById(id)?.textContent?.trim() ?? '')
      .filter(Boolean)
      .join(' '),
  );
}

/** Waits for the page's path (and query) to match; a string must match the path exactly. */
export async function expectPath(page: Page, expected: string | RegExp, timeout = UI_TIMEOUT_MS): Promise<void> {
  const matches = (url: URL) => {
    const actual = url.pathname + url.search;
    return typeof expected === 'string' ? url.pathname === expected : expected.test(actual);
  };
  try {
    await page.waitForURL(matches, { timeout, waitUntil: 'commit' });
  } catch (error) {
    throw new Error(
      `Expected the page to be at ${expected} within ${timeout} ms (${await pageSummary(page)}).\n${(error as Error).message}`,
    );
  }
}

/** A success toast: Gatehouse shows them with role="status" so they never compete with error alerts. */
export function toast(page: Page, text: string): Locator {
  return page.getByRole('status').filter({ hasText: text });
}

export const SHOTS_DIR = '/tmp/gatehouse-shots';

/**
 * Saves a full-page screenshot for a person to look at (not compared against anything), then scans the
 * page with axe-core: any serious or critical WCAG 2.2 AA violation fails the test (see axe.ts). Every
 * page the browser stories visit is screenshotted, so every one is scanned; unless `dark` is false, in the
 * dark colour scheme too.
 */
export async function screenshot(page: Page, name: string, { dark = true } = {}): Promise<void> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  // animations: 'disabled' also finishes running transitions (a modal fading in), so the scan sees final colours.
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
  await expectNoAxeViolations(page, name);
  if (dark) await scanInDarkMode(page, name);
}

/** Waits for the app to show the colour scheme (Mantine follows the system's preference as it changes). */
async function expectColorScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await waitFor(
    () =>
      page.evaluate(
        (expected) =>
          !document.documentElement.hasAttribute('data-mantine-color-scheme') ||
          document.documentElement.getAttribute('data-mantine-color-scheme') === expected,
        scheme,
      ),
    `the page to turn ${scheme}`,
    UI_TIMEOUT_MS,
  );
}

/**
 * The page again with the system set to dark mode (`{name}-dark.png`), scanned with axe-core too, so the
 * dark colour scheme meets the same contrast rules; then back to light.
 */
async function scanInDarkMode(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await expectColorScheme(page, 'dark');
    await page.screenshot({ path: path.join(SHOTS_DIR, `${name}-dark.png`), fullPage: true, animations: 'disabled' });
    await expectNoAxeViolations(page, `${name} (dark)`);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
    await expectColorScheme(page, 'light');
  }
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/**
 * The page at a desktop's size and at a phone's (`{name}-1280x800`, `{name}-390x844`), each scanned,
 * and at the desktop size in dark mode too (`{name}-1280x800-dark`); the page is back at the desktop
 * size, light, after.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await screenshot(page, `${name}-1280x800`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-390x844`, { dark: false });
  await page.setViewportSize(DESKTOP);
}

/** Signs in on a workspace's sign-in page and waits for the dashboard. */
export async function signInThroughUi(
  page: Page,
  baseUrl: string,
  slug: string,
  user: { email: string; password: string; displayName: string },
): Promise<void> {
  await page.goto(`${baseUrl}/w/${slug}/sign-in`);
  await page.getByLabel('Username').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expectVisible(page.getByRole('heading', { name: `Welcome, ${user.displayName}` }));
}
