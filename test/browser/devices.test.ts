import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/**
 * Trusted sessions (SPEC §6) as a person does them, in several browsers of the same person: the first
 * is verified with the code that this test's SMTP server receives, the next ones are approved or denied
 * from the first on My trusted devices, a removed one is out at its next request, and the 21st device
 * is refused with a message that says what to do.
 */

const STORY_TIMEOUT_MS = 120_000;
const MAIL_TIMEOUT_MS = 30_000;
const NOT_SECURE = 'Your current session is not secure';

describeBrowser('trusted sessions', { timeout: STORY_TIMEOUT_MS }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    await setUpWorkspace(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  /** Another browser of the owner: no cookies shared with the others, signed in through the UI. */
  async function ownerBrowser(): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    await signInThroughUi(page, t.url, OWNER.slug, OWNER);
    return page;
  }

  const notice = (page: Page) => page.getByRole('note').filter({ hasText: NOT_SECURE });

  /** Set up a trusted session with the given device name; returns once the server has answered. */
  async function setUpDevice(page: Page, name: string): Promise<void> {
    await page.goto(`${t.url}/app/trusted-session`);
    await expectVisible(page.getByRole('heading', { name: 'Set up a trusted session' }));
    const field = page.getByLabel('Name your device');
    await expectVisible(field);
    await field.fill(name);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  const devicesTable = (page: Page) => page.getByRole('table', { name: 'My trusted devices' });
  const deviceRow = (page: Page, name: string) =>
    devicesTable(page)
      .getByRole('row')
      .filter({ has: page.getByText(name, { exact: true }) });

  /** Whether the server trusts the page's session right now (the same cookies the page sends). */
  async function trustedOnServer(page: Page): Promise<boolean> {
    const response = await page.request.get(`${t.url}/api/v1/auth/session`);
    return ((await response.json()) as { assurance: { trusted: boolean } }).assurance.trusted;
  }

  it('verifies the first device by emailed code, approves a second from it, denies a third, removes the second', async () => {
    // The first browser: not secure until the device is verified with the mailed code.
    const first = await ownerBrowser();
    await expectVisible(notice(first));
    await notice(first).getByRole('link', { name: 'Set up a trusted session' }).click();
    await expectPath(first, '/app/trusted-session');
    // The suggested name is {username} {browser} - {OS}.
    await expectInputValue(first.getByLabel('Name your device'), 'ada Chrome - Linux');
    await screenshots(first, 'devices-name-your-device');
    await first.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(first.getByText(`We emailed a 6-digit code to ${OWNER.email}`));
    const code = await waitForDeviceCode(smtp, OWNER.email, 1, MAIL_TIMEOUT_MS);
    await first.getByLabel('Code', { exact: true }).fill(code);
    await first.getByRole('button', { name: 'Verify code' }).click();
    await expectVisible(first.getByText('This session is trusted'));
    await expectVisible(toast(first, 'This device is now trusted'));
    expect(await trustedOnServer(first)).toBe(true);
    await first.goto(`${t.url}/app`);
    await expectVisible(first.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await expectHidden(notice(first));

    // A second browser waits for approval; Approve on the first lets it in without a reload.
    const second = await ownerBrowser();
    await setUpDevice(second, 'Second laptop');
    await expectVisible(second.getByText('Waiting for approval'));
    await expectVisible(second.getByRole('button', { name: "I don't have access to my trusted device" }));
    await screenshots(second, 'devices-waiting-for-approval');
    // The first browser's dashboard says so, and the navigation counts it; its link leads to the decision.
    await first.reload();
    const waiting = first.getByRole('alert').filter({ hasText: 'A device is waiting for your approval' });
    await expectVisible(waiting);
    await expectVisible(waiting.getByText('“Second laptop” asked to be trusted.', { exact: false }));
    const navigation = first.getByRole('navigation', { name: 'Main' });
    await expectVisible(navigation.getByRole('link', { name: 'My trusted devices 1 waiting for approval' }));
    await screenshots(first, 'dashboard-device-waiting');
    await waiting.getByRole('link', { name: 'Review on My trusted devices' }).click();
    await expectVisible(first.getByRole('heading', { name: 'My trusted devices' }));
    const pendingRow = deviceRow(first, 'Second laptop');
    await expectVisible(pendingRow.getByText('Waiting for approval'));
    await expectVisible(deviceRow(first, 'ada Chrome - Linux').getByText('This device'));
    await screenshots(first, 'devices-my-trusted-devices');
    await pendingRow.getByRole('button', { name: 'Approve' }).click();
    await expectVisible(toast(first, 'Second laptop approved'));
    await expectVisible(deviceRow(first, 'Second laptop').getByText('Trusted'));
    await expectHidden(navigation.getByText('waiting for approval'));
    await expectVisible(second.getByText('This session is trusted'));
    expect(await trustedOnServer(second)).toBe(true);
    await second.goto(`${t.url}/app`);
    await expectVisible(second.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await expectHidden(notice(second));

    // A third browser is denied: it stays out.
    const third = await ownerBrowser();
    await setUpDevice(third, 'Unknown tablet');
    await expectVisible(third.getByText('Waiting for approval'));
    await first.reload();
    await deviceRow(first, 'Unknown tablet').getByRole('button', { name: 'Deny' }).click();
    await expectVisible(toast(first, 'Unknown tablet denied'));
    await expectVisible(third.getByText('This device was denied'));
    expect(await trustedOnServer(third)).toBe(false);
    await third.goto(`${t.url}/app`);
    await expectVisible(notice(third));

    // The first removes the second: the second is out at its very next request.
    await first.getByRole('button', { name: 'Remove Second laptop' }).click();
    const dialog = first.getByRole('dialog', { name: 'Remove device' });
    await expectVisible(dialog);
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expectVisible(toast(first, 'Second laptop removed'));
    await expectHidden(deviceRow(first, 'Second laptop'));
    await second.reload();
    await expectVisible(second.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await expectVisible(notice(second));
    expect(await trustedOnServer(second)).toBe(false);
    await screenshots(second, 'devices-removed-not-secure');
  });

  it('refuses the 21st device with a clear message', async () => {
    // Fill the owner's places quickly through the API: 20 approved or pending devices in all.
    const live = await t.database.db
      .selectFrom('devices')
      .select(({ fn }) => fn.countAll<string>().as('count'))
      .where('status', 'in', ['pending_verification', 'pending_approval', 'approved'])
      .executeTakeFirstOrThrow();
    // Client apps connect through the device grant, which a test need not walk 20 times: rows suffice.
    const { id: userId, workspace_id } = await t.database.db
      .selectFrom('users')
      .select(['id', 'workspace_id'])
      .where('username', '=', OWNER.email)
      .executeTakeFirstOrThrow();
    for (let i = Number(live.count) + 1; i <= 20; i++) {
      await t.database.db
        .insertInto('devices')
        .values({
          workspace_id,
          user_id: userId,
          name: `Install ${i}`,
          kind: 'extension',
          status: 'pending_verification',
          secret_hash: `unused ${i}`,
        })
        .execute();
    }

    const page = await ownerBrowser();
    await setUpDevice(page, 'One too many');
    const refusal = page
      .getByRole('alert')
      .filter({ hasText: 'You already have 20 trusted or pending devices. Remove one on My trusted devices first.' });
    await expectVisible(refusal);
    await screenshots(page, 'devices-limit-reached');
    await page.getByRole('link', { name: 'Open My trusted devices' }).click();
    await expectPath(page, '/app/devices');
    await expectVisible(page.getByRole('heading', { name: 'My trusted devices' }));
  });
});
