import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshot,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';

const OWNER = {
  workspaceName: 'Acme Inc',
  slug: 'acme-inc',
  displayName: 'Ada Owner',
  email: 'ada@acme.test',
  password: 'correct horse battery staple',
} as const;

const MEMBER = {
  email: 'bob@acme.test',
  displayName: 'Bob Member',
  password: 'tulips in the rain 42',
} as const;

/**
 * One story on one server, step by step: the owner adds a member, the member signs in from a browser
 * of their own. Each step needs the one before it.
 */
describeBrowser('members in a real browser', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let ownerContext: BrowserContext;
  let owner: Page;
  let memberContext: BrowserContext;
  let member: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await createTestApp({ listen: true });
    const setup = await t.client().post('/api/v1/setup', {
      workspaceName: OWNER.workspaceName,
      slug: OWNER.slug,
      displayName: OWNER.displayName,
      email: OWNER.email,
      password: OWNER.password,
    });
    if (setup.statusCode !== 201) throw new Error(`set-up failed: ${setup.statusCode} ${setup.body}`);
    // Two separate browsers as far as the server can tell: cookies and storage are not shared.
    ownerContext = await browser.newContext();
    owner = await ownerContext.newPage();
    memberContext = await browser.newContext();
    member = await memberContext.newPage();
  });
  afterAll(async () => {
    await memberContext?.close();
    await ownerContext?.close();
    await browser?.close();
    await t?.close();
  });

  const membersTable = (page: Page) => page.getByRole('table', { name: 'Members' });

  it('the owner adds a member on the Members page', async () => {
    await signInThroughUi(owner, t.url, OWNER.slug, OWNER);
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await expectPath(owner, '/app/members');
    await expectVisible(owner.getByRole('heading', { name: 'Members' }));
    await expectVisible(membersTable(owner).getByRole('row').filter({ hasText: OWNER.email }));

    await owner.getByRole('button', { name: 'Add member' }).click();
    const dialog = owner.getByRole('dialog', { name: 'Add member' });
    await expectVisible(dialog);
    await dialog.getByLabel('Email', { exact: true }).fill(MEMBER.email);
    await dialog.getByLabel('Name', { exact: true }).fill(MEMBER.displayName);
    await dialog.getByLabel('Role').selectOption({ label: 'Member' });
    await dialog.getByLabel('Initial password').fill(MEMBER.password);
    await dialog.getByRole('button', { name: 'Add member' }).click();

    await expectVisible(toast(owner, 'Member added'));
    await expectHidden(dialog);
    const row = membersTable(owner).getByRole('row').filter({ hasText: MEMBER.email });
    await expectVisible(row);
    // Text content, not the rendered text: the status badge is upper-cased by CSS only.
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      MEMBER.email,
      MEMBER.displayName,
      'Member',
      'Active',
      expect.any(String),
      'Never',
      'Devices',
      // No MFA yet: nothing to reset, so no Reset MFA.
      'Off',
    ]);
    await screenshot(owner, 'members');
  });

  it('the member signs in from another browser and is offered no management screens', async () => {
    await member.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await member.getByLabel('Username').fill(MEMBER.email);
    await member.getByLabel('Password', { exact: true }).fill(MEMBER.password);
    await member.getByRole('button', { name: 'Sign In' }).click();
    await expectPath(member, '/app');

    // First sign-in: the workspace's terms of service must be accepted before anything else.
    const terms = member.getByRole('dialog', { name: 'Terms of service agreement' });
    await expectVisible(terms);
    await terms.getByRole('checkbox', { name: /I confirm that I have read/ }).check();
    await terms.getByRole('button', { name: 'Continue' }).click();
    await expectHidden(terms);

    await expectVisible(member.getByRole('heading', { name: `Welcome, ${MEMBER.displayName}` }));
    const nav = member.getByRole('navigation', { name: 'Main' });
    await expectVisible(nav.getByRole('link', { name: 'Dashboard' }));
    for (const adminOnly of ['Members', 'Activity']) {
      expect(await nav.getByRole('link', { name: adminOnly }).count(), `${adminOnly} link`).toBe(0);
    }

    // Typing the address of the members page shows why there is nothing to manage.
    await member.goto(`${t.url}/app/members`);
    await expectVisible(
      member.getByRole('alert').filter({ hasText: 'Only the workspace owner and admins can see this page.' }),
    );
    await expectHidden(member.getByRole('button', { name: 'Add member' }));
    expect(await membersTable(member).count()).toBe(0);
  });

  it('the server refuses the member an add-member call made from the page itself', async () => {
    const response = await member.evaluate(
      async (input) => {
        const csrf = ((await (await fetch('/api/v1/auth/csrf')).json()) as { token: string }).token;
        const res = await fetch('/api/v1/members', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(input),
        });
        return {
          status: res.status,
          contentType: res.headers.get('content-type'),
          body: (await res.json()) as { type: string },
        };
      },
      { email: 'mallory@acme.test', displayName: 'Mallory', role: 'admin', password: 'a long enough password' },
    );
    expect(response.status).toBe(403);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.body.type).toBe('/api/problems/forbidden');

    // Nobody was added behind the owner's back.
    await owner.reload();
    await expectVisible(membersTable(owner).getByRole('row').filter({ hasText: MEMBER.email }));
    expect(await membersTable(owner).getByRole('row').filter({ hasText: 'mallory@acme.test' }).count()).toBe(0);
  });
});
