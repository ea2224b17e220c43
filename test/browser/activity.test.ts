import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import { pageSignedInAs, setUpAgencyOne } from '../helpers/partner-story.js';
import { me } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';
import { parseCsv } from '../helpers/csv.js';

/**
 * The **Activity** page (SPEC §8, issue 12) as people use it: a host admin narrows it to one partner and
 * one account, reads what happened in sentences and exports exactly those rows as CSV; a guest sees
 * **My activity**, only what they did.
 */

describeBrowser('the Activity page in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  let hugo: TestClient;
  let gail: TestClient;
  let gus: TestClient;
  let instagram: string;
  let agencyOneId: string;
  const contexts: BrowserContext[] = [];

  const pageAs = (client: TestClient, path: string): Promise<Page> =>
    pageSignedInAs(browser, t, client, path, contexts, { acceptDownloads: true });

  async function choose(page: Page, label: string, option: string) {
    await page.getByRole('combobox', { name: label }).click();
    await page.getByRole('option', { name: option }).click();
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const cast = await setUpAgencyOne(t, { otherPartners: [{ name: 'Other Co', guestAdminEmail: 'olga@other.test' }] });
    ({ owner, hugo, gail, gus, agencyOneId } = cast);
    const { hugoSecret, gailSecret, agencyOneId: agencyOne } = cast;
    const gusId = (await me(gus)).user.id;

    const create = async (name: string) =>
      ((await hugo.post('/api/v1/accounts', { ...ACCOUNT, name })).json() as { id: string }).id;
    instagram = await create('Company Instagram');
    const linkedin = await create('Company LinkedIn');
    await confirmIdentity(hugo, hugoSecret);
    const shared = await hugo.post(`/api/v1/partners/${agencyOne}/accounts`, {
      accounts: [
        { accountId: instagram, role: 'manager' },
        { accountId: linkedin, role: 'collaborator' },
      ],
    });
    expect(shared.statusCode, shared.body).toBe(204);
    await confirmIdentity(gail, gailSecret);
    const passedOn = await gail.post(`/api/v1/accounts/${instagram}/onward-shares`, { userId: gusId });
    expect(passedOn.statusCode, passedOn.body).toBe(204);
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('a host admin narrows it to one partner and one account and exports those rows', async () => {
    const page = await pageAs(hugo, '/app/activity');
    await expectVisible(page.getByRole('heading', { name: 'Activity', level: 1 }));
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await expectVisible(page.getByText('hugo Member shared Company LinkedIn with Agency One as collaborator.'));

    await choose(page, 'Partner', 'Agency One');
    await choose(page, 'Account', 'Company Instagram');
    await expectHidden(page.getByText('hugo Member shared Company LinkedIn with Agency One as collaborator.'));
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await expectVisible(page.getByText('hugo Member shared Company Instagram with Agency One as manager.'));
    // The filters live in the address, so the view can be bookmarked or sent.
    const url = new URL(page.url());
    expect(url.searchParams.get('partner')).toBeTruthy();
    expect(url.searchParams.get('account')).toBe(instagram);
    await screenshots(page, 'activity-filtered');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const [header, ...rows] = parseCsv(fs.readFileSync((await download.path())!, 'utf8'));
    const column = (name: string) => header!.indexOf(name);
    expect(rows.map((r) => r[column('action')]).sort()).toEqual([
      'account.access_passed_on',
      'account.shared_with_partner',
    ]);
    expect(
      rows.every(
        (r) => r[column('partner_name')] === 'Agency One' && r[column('account_name')] === 'Company Instagram',
      ),
    ).toBe(true);
    expect(rows.map((r) => r[column('summary')])).toContain('Gail Guest passed Company Instagram on to Gus User.');

    // Reloading the address shows the same narrowed view.
    await page.reload();
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await expectHidden(page.getByText('hugo Member shared Company LinkedIn with Agency One as collaborator.'));
  });

  it("a host admin reads a partner's Activity tab", async () => {
    const page = await pageAs(hugo, `/app/partners/${agencyOneId}`);
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await expectVisible(page.getByText('Gail Guest invited Gus User as guest user to Agency One.'));
    await expectHidden(page.getByText(/Other Co/));
    await screenshots(page, 'partner-activity');
  });

  it("an account owner sees the account's history", async () => {
    // Gail, who manages Instagram through Agency One, has its password filled in by her browser extension
    // and gets a TOTP code for it: Hugo, its owner, reads both on its Activity tab, with the device.
    await trustDevice(gail, owner, { kind: 'extension', name: 'Gail laptop' });
    expect((await gail.post(`/api/v1/accounts/${instagram}/autofill`, {})).statusCode).toBe(200);
    expect((await gail.post(`/api/v1/accounts/${instagram}/totp-code`, {})).statusCode).toBe(200);

    const page = await pageAs(hugo, `/app/accounts/${instagram}`);
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expectVisible(
      page.getByText('Gail Guest had the password of Company Instagram filled in by a client app on “Gail laptop”.'),
    );
    await expectVisible(page.getByText('Gail Guest got a TOTP code for Company Instagram on “Gail laptop”.'));
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await expectVisible(page.getByText('hugo Member shared Company Instagram with Agency One as manager.'));
    await expectVisible(page.getByText('hugo Member added the account Company Instagram.'));
    // Only this account's history: LinkedIn, shared in the same breath, is not in it.
    await expectHidden(page.getByText(/Company LinkedIn/));
    await screenshots(page, 'account-activity');

    // The link opens the Activity page narrowed to this account, to filter further or export.
    await page.getByRole('link', { name: "Filter and export this account's activity" }).click();
    await expectVisible(page.getByRole('heading', { name: 'Activity', level: 1 }));
    expect(new URL(page.url()).searchParams.get('account')).toBe(instagram);
  });

  it('shows the workspace owner whether the log verifies', async () => {
    await turnOnMfa(owner);
    const page = await pageAs(owner, '/app/activity');
    await expectVisible(page.getByRole('status').filter({ hasText: /^Tamper check: the log verifies/ }));
    await expectVisible(page.getByText('Gail Guest passed Company Instagram on to Gus User.'));
    await screenshots(page, 'activity-owner');
  });

  it('a guest sees My activity: only what they did', async () => {
    const page = await pageAs(gus, '/app/activity');
    await expectVisible(page.getByRole('heading', { name: 'My activity', level: 1 }));
    await expectVisible(page.getByText('Gus User turned on MFA.'));
    await expectVisible(page.getByRole('link', { name: 'My activity' }));
    await expectHidden(page.getByText(/Gail Guest/));
    await expectHidden(page.getByText(/hugo Member/));
    await screenshots(page, 'activity-guest');
  });
});
