import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  DESKTOP,
  describeBrowser,
  expectHidden,
  expectVisible,
  launchBrowser,
  screenshots,
  toast,
} from '../helpers/browser.js';
import { testClock } from '../helpers/clock.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';
import { addMember, me } from '../helpers/partners.js';

/**
 * **Transfer workspace ownership** (SPEC §2a, issue 11) in a real browser: on Workspace settings the owner
 * chooses an active admin as **New owner**, presses **Transfer ownership**, confirms it and their
 * identity, and is an admin from then on (the section is gone for them).
 */

const ADAM = { email: 'adam@acme.test', displayName: 'adam Member' };
const SECTION = 'Transfer workspace ownership';

describeBrowser(
  'transferring the workspace’s ownership in a real browser',
  { timeout: 2 * BROWSER_TEST_TIMEOUT_MS },
  () => {
    let browser: Browser;
    let t: TestApp;
    let secret: string;
    let ownerId: string;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchBrowser();
      t = await createTestApp({ listen: true });
      const owner = await setUpWorkspace(t);
      ownerId = (await me(owner)).user.id;
      secret = (await turnOnMfa(owner)).secret;
      await addMember(owner, ADAM.email, 'admin');
      // A member and a deactivated admin: neither can become the owner, so neither is offered.
      await addMember(owner, 'mia@acme.test');
      const doraId = await addMember(owner, 'dora@acme.test', 'admin');
      await t.database.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', doraId).execute();
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
      await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
      await page.getByLabel('Username').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await page.getByLabel('Authentication Code').fill(await freshCode(secret));
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectVisible(page.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
      return page;
    }

    it('the owner hands the role to an active admin, confirming their identity', async () => {
      const page = await ownerPage();
      await page.goto(`${t.url}/app/settings/workspace`);
      await expectVisible(page.getByRole('heading', { name: SECTION }));
      const select = page.getByRole('combobox', { name: 'New owner' });
      await select.click();
      const options = page.getByRole('option');
      await expectVisible(options.first());
      expect(await options.allInnerTexts()).toEqual([`${ADAM.displayName} (${ADAM.email})`]);
      await options.first().click();
      await screenshots(page, 'workspace-ownership');

      // The second factor was passed at sign-in; make it older than 5 minutes so the action asks again.
      await t.database.db
        .updateTable('sessions')
        .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
        .where('user_id', '=', ownerId)
        .execute();

      await page.getByRole('button', { name: 'Transfer ownership' }).click();
      const dialog = page.getByRole('dialog', { name: SECTION });
      await expectVisible(dialog.getByText(`${ADAM.displayName} (${ADAM.email}) becomes the owner of the workspace`));
      await screenshots(page, 'workspace-ownership-confirm');
      await dialog.getByRole('button', { name: 'Transfer ownership' }).click();

      const confirm = page.getByRole('dialog', { name: 'Confirm your identity' });
      await expectVisible(confirm.getByText('Transferring workspace ownership needs a second factor'));
      await confirm.getByLabel('Authentication Code').fill(await freshCode(secret));
      await confirm.getByRole('button', { name: 'Verify' }).click();

      await expectVisible(toast(page, `${ADAM.displayName} is now the owner of the workspace. You are now an admin.`));
      await expectHidden(page.getByRole('heading', { name: SECTION }));
      await expectHidden(dialog);
      await screenshots(page, 'workspace-ownership-done');

      const roles = await t.database.db
        .selectFrom('users')
        .select(['email', 'role'])
        .where('role', 'in', ['owner', 'admin'])
        .orderBy('email')
        .execute();
      expect(roles).toEqual([
        { email: OWNER.email, role: 'admin' },
        { email: ADAM.email, role: 'owner' },
        { email: 'dora@acme.test', role: 'admin' },
      ]);
    });
  },
);
