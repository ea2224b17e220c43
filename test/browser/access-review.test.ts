import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import { confirmIdentity } from '../helpers/mfa.js';
import { pageSignedInAs, setUpAgencyOne } from '../helpers/partner-story.js';
import { ACCOUNT } from '../helpers/vault.js';

/**
 * **Review access** (SPEC §8a, issue 12) as a host admin does it: from the partner's page, start a review,
 * keep what should stay and **Remove** one guest (after confirming); the guest's very next request fails,
 * and the closed review shows who decided what.
 */

describeBrowser('an access review in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let hugo: TestClient;
  let gus: TestClient;
  let partnerId: string;
  const contexts: BrowserContext[] = [];

  const pageAs = (client: TestClient, path: string): Promise<Page> =>
    pageSignedInAs(browser, t, client, path, contexts);

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const cast = await setUpAgencyOne(t);
    ({ hugo, gus, agencyOneId: partnerId } = cast);
    const instagram = (
      (await hugo.post('/api/v1/accounts', { ...ACCOUNT, name: 'Company Instagram' })).json() as {
        id: string;
      }
    ).id;
    await confirmIdentity(hugo, cast.hugoSecret);
    const shared = await hugo.post(`/api/v1/partners/${partnerId}/accounts`, {
      accounts: [{ accountId: instagram, role: 'collaborator' }],
    });
    expect(shared.statusCode, shared.body).toBe(204);
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('a host admin completes a review with one Remove, which holds on the guest’s next request', async () => {
    const gusPage = await pageAs(gus, '/app/accounts');
    await expectVisible(gusPage.getByRole('heading', { name: 'Accounts', level: 1 }));

    const page = await pageAs(hugo, `/app/partners/${partnerId}`);
    await page.getByRole('link', { name: 'Review access' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Review access', level: 1 }));
    await page.getByRole('button', { name: 'Start review' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Access review of Agency One', level: 1 }));
    await expectVisible(page.getByText('0 of 3 decided'));

    const gail = page.getByRole('listitem', { name: 'Gail Guest' });
    const gusItem = page.getByRole('listitem', { name: 'Gus User' });
    const share = page.getByRole('listitem', { name: 'Company Instagram for Agency One' });
    await expectVisible(gusItem.getByText('Invited by Gail Guest'));
    await expectVisible(share.getByText('Granted by hugo Member'));
    await screenshots(page, 'access-review-open');

    await gail.getByRole('button', { name: 'Keep' }).click();
    await expectVisible(gail.getByText('Kept'));
    await gusItem.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Gus User?' });
    await expectVisible(dialog.getByText(/deactivated and signed out everywhere/));
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expectVisible(gusItem.getByText('Removed'));

    // The removed guest's very next request is refused: their open page loses the session.
    expect((await gus.get('/api/v1/auth/session')).statusCode).toBe(401);
    await gusPage.reload();
    await expectPath(gusPage, /^\/(login|w\/acme)/);

    await share.getByRole('button', { name: 'Keep' }).click();
    await expectVisible(page.getByText('3 of 3 decided'));
    await expectVisible(page.getByText('Closed', { exact: true }));
    await expectVisible(gusItem.getByText(/by hugo Member/));
    await expect(page.getByRole('button', { name: 'Keep' }).count()).resolves.toBe(0);
    await screenshots(page, 'access-review-closed');

    // The past review stays readable from the partner's reviews.
    await page.getByRole('link', { name: 'Review access' }).click();
    await expectVisible(page.getByText(/2 kept, 1 removed/));
    await expectVisible(page.getByRole('button', { name: 'Start review' }));

    // The partner setting schedules the next review one interval after this one.
    await page.getByRole('combobox', { name: 'Review schedule' }).click();
    await page.getByRole('option', { name: 'Every 90 days' }).click();
    await expectVisible(page.getByText(/^Next review due on /));
    await screenshots(page, 'access-reviews-list');
  });
});
