import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import { pageSignedInAs, setUpAgencyOne } from '../helpers/partner-story.js';
import { addMember, me, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { ACCOUNT } from '../helpers/vault.js';

/**
 * **Review access** for an account (SPEC §8a) as its owner does it: from the account's page, review every
 * grant on it (a member, the partner share, the onward share made from it), keep what should stay and
 * **Remove** the partner share (after confirming), which ends the onward share with it; the guest's next
 * request no longer finds the account, and the closed review shows who decided what. A collaborator is not
 * offered the review.
 */

describeBrowser('an account’s access review in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let hugo: TestClient;
  let mia: TestClient;
  let gus: TestClient;
  let accountId: string;
  const contexts: BrowserContext[] = [];

  const pageAs = (client: TestClient, path: string): Promise<Page> =>
    pageSignedInAs(browser, t, client, path, contexts);
  const accountNames = async (client: TestClient) =>
    ((await client.get('/api/v1/accounts')).json() as { accounts: Array<{ name: string }> }).accounts.map(
      (a) => a.name,
    );

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const cast = await setUpAgencyOne(t);
    ({ hugo, gus } = cast);
    const miaId = await addMember(cast.owner, 'mia@acme.test');
    mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    expect((await mia.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
    await turnOnMfa(mia);

    accountId = ((await hugo.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    await confirmIdentity(hugo, cast.hugoSecret);
    const toMia = await hugo.post(`/api/v1/accounts/${accountId}/members`, { userId: miaId, role: 'collaborator' });
    expect(toMia.statusCode, toMia.body).toBe(204);
    const toAgency = await hugo.post(`/api/v1/partners/${cast.agencyOneId}/accounts`, {
      accounts: [{ accountId, role: 'manager' }],
    });
    expect(toAgency.statusCode, toAgency.body).toBe(204);
    await confirmIdentity(cast.gail, cast.gailSecret);
    const toGus = await cast.gail.post(`/api/v1/accounts/${accountId}/onward-shares`, {
      userId: (await me(gus)).user.id,
    });
    expect(toGus.statusCode, toGus.body).toBe(204);
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  it('a collaborator is not offered Review access', async () => {
    const page = await pageAs(mia, `/app/accounts/${accountId}`);
    await expectVisible(page.getByRole('heading', { name: ACCOUNT.name, level: 1 }));
    await expect(page.getByRole('button', { name: 'Review access' }).count()).resolves.toBe(0);
  });

  it('an owner reviews every grant; removing the partner share ends the onward share on the guest’s next request', async () => {
    expect(await accountNames(gus)).toEqual([ACCOUNT.name]);
    const page = await pageAs(hugo, `/app/accounts/${accountId}`);
    await page.getByRole('button', { name: 'Review access', exact: true }).click();
    await expectVisible(page.getByRole('heading', { name: `Access review of ${ACCOUNT.name}`, level: 1 }));
    await expectVisible(page.getByText('0 of 4 decided'));

    const owner = page.getByRole('listitem', { name: 'hugo Member', exact: true });
    const miaItem = page.getByRole('listitem', { name: 'mia Member', exact: true });
    const share = page.getByRole('listitem', { name: 'Agency One', exact: true });
    const gusItem = page.getByRole('listitem', { name: 'Gus User', exact: true });
    await expectVisible(page.getByRole('list', { name: 'Members' }).getByRole('listitem', { name: 'mia Member' }));
    await expectVisible(share.getByText('Granted by hugo Member'));
    await expectVisible(gusItem.getByText('Granted by Gail Guest'));
    await expectVisible(gusItem.getByText(/Guest of Agency One/));
    await screenshots(page, 'account-access-review-open');

    await owner.getByRole('button', { name: 'Keep' }).click();
    await expectVisible(owner.getByText('Kept'));
    await share.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Agency One?' });
    await expectVisible(dialog.getByText(/every onward share made from it ends/));
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expectVisible(share.getByText('Removed'));
    // The onward share ended with it, and is recorded so.
    await expectVisible(gusItem.getByText('Removed'));
    await expectVisible(
      gusItem.getByText(`Ended with the removal of ${ACCOUNT.name} for Agency One, by hugo Member`, { exact: false }),
    );
    expect(await accountNames(gus)).toEqual([]);
    expect((await gus.get(`/api/v1/accounts/${accountId}`)).statusCode).toBe(404);

    await miaItem.getByRole('button', { name: 'Keep' }).click();
    await expectVisible(page.getByText('4 of 4 decided'));
    await expectVisible(page.getByText('Closed', { exact: true }));
    await expectVisible(miaItem.getByText(/by hugo Member/));
    await expect(page.getByRole('button', { name: 'Keep' }).count()).resolves.toBe(0);
    await screenshots(page, 'account-access-review-closed');

    // Back on the account, its Users tab no longer lists the partner or its guest.
    await page.getByRole('link', { name: ACCOUNT.name, exact: true }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await expectVisible(page.getByRole('row', { name: /mia Member/ }));
    await expect(page.getByRole('row', { name: /Agency One|Gus User/ }).count()).resolves.toBe(0);
  });
});
