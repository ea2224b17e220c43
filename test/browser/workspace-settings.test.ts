import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  DESKTOP,
  expectNoSidewaysScroll,
  PHONE,
  describeBrowser,
  expectInputValue,
  expectVisible,
  launchBrowser,
  screenshots,
  toast,
} from '../helpers/browser.js';

describeBrowser('workspace settings in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    owner = await setUpWorkspace(t);
    // The owner has MFA on (creating a SCIM token needs a confirmed identity; turning MFA on is one).
    await turnOnMfa(owner);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('an admin shortens the invitation lifetime and adds a verified domain; a bad value is explained', async () => {
    const context = await browser.newContext();
    // Signed in through the API (with its second factor): the browser gets the session cookie.
    await context.addCookies([{ name: 'gatehouse_session', value: owner.cookie('gatehouse_session')!, url: t.url }]);
    const page = await context.newPage();
    await page.goto(`${t.url}/app`);
    await page.getByRole('link', { name: 'Workspace settings' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Workspace settings' }));

    const lifetime = page.getByLabel('Invitation lifetime (hours)');
    await expectVisible(lifetime);
    expect(await lifetime.inputValue()).toBe('48');
    await lifetime.fill('24');
    await page.getByRole('combobox', { name: 'Verified domains' }).fill('acme-group.test');
    await page.getByRole('combobox', { name: 'Verified domains' }).press('Enter');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectVisible(toast(page, 'Settings saved'));
    expect((await t.client().get('/api/v1/workspaces/acme')).statusCode).toBe(200);
    const stored = await t.database.db
      .selectFrom('workspaces')
      .select(['invitation_ttl_hours', 'verified_domains'])
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ invitation_ttl_hours: 24, verified_domains: ['acme-group.test'] });

    await page.getByLabel('Minimum password length').fill('4');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectVisible(page.getByText('Passwords need at least 8 characters.'));

    // SCIM tokens (SPEC §2b): the base URL to copy, a token shown once, the list, Revoke after a confirmation.
    await expectInputValue(
      page.getByLabel('SCIM base URL', { exact: true }),
      `${t.config.publicUrl.toString().replace(/\/$/, '')}/scim/v2`,
    );
    await page.getByLabel('Token name').fill('Okta');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('New SCIM token', { exact: true });
    await expectVisible(shown);
    const token = (await shown.textContent())!.trim();
    expect(token).toMatch(/^gh_scim_/);
    const listed = page.getByRole('list', { name: 'SCIM tokens' }).getByRole('listitem', { name: 'Okta' });
    await expectVisible(listed);
    await expectVisible(listed.getByText(/Last used never/));
    await screenshots(page, 'workspace-settings-scim-tokens');
    const used = await t.app.inject({
      method: 'GET',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(used.statusCode).toBe(200);

    await listed.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke SCIM token' });
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await expectVisible(toast(page, 'The SCIM token “Okta” is revoked'));
    await expectVisible(page.getByText('No SCIM token yet.'));
    const refused = await t.app.inject({
      method: 'GET',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.statusCode).toBe(401);

    // Terms of service settings: the versions as a table, on a phone as cards (issue 14).
    await page.getByRole('link', { name: 'Terms of service' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Terms of service', level: 1 }));
    const versions = page.getByRole('table', { name: 'Terms versions' });
    await expectVisible(versions.getByRole('row').filter({ hasText: 'Version 1' }));
    await screenshots(page, 'terms-settings');
    await page.setViewportSize(PHONE);
    try {
      await expectNoSidewaysScroll(versions);
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});
