import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  DESKTOP,
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
} from '../helpers/browser.js';
import { addMember, MEMBER_PASSWORD } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';

/**
 * **Change email** (SPEC §2a, issue 11) in a real browser: the owner asks on the Members page, the link
 * in the mail to the new address opens the **Confirm email address** page, and the member then signs in
 * with the new address (their browser that was signed in with the old one is signed out).
 */

const MIA = { email: 'mia@acme.test', password: MEMBER_PASSWORD, displayName: 'mia Member' };
const NEW_EMAIL = 'mia@newmail.test';

describeBrowser('changing a member’s email in a real browser', { timeout: 2 * BROWSER_TEST_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // Mail links must lead back to this server.
    t = await createPublicTestApp();
    owner = await setUpWorkspace(t);
    await addMember(owner, MIA.email);
    // Mia has signed in before and accepted the terms, so a sign-in takes her straight to her dashboard.
    const mia = t.client();
    expect(
      (await mia.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: MIA.email, password: MIA.password }))
        .statusCode,
    ).toBe(200);
    const terms = (await mia.get('/api/v1/terms/current')).json() as { version: number };
    expect((await mia.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    return context.newPage();
  }

  /** The Confirm email address link from the newest mail to `to`, read from the development outbox. */
  async function confirmationLink(to: string): Promise<string> {
    const messages = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{
      to: string;
      subject: string;
      text: string;
    }>;
    const mail = messages.find((m) => m.to === to && m.subject === 'Confirm your new email address on Gatehouse');
    const link = mail && /Confirm email address: (\S+)/.exec(mail.text)?.[1];
    if (!link) throw new Error(`no confirmation link mailed to ${to}`);
    return link;
  }

  it('the owner asks, the new address confirms, and the member signs in with it', async () => {
    // Mia is signed in, with her old address, in a browser of her own.
    const miasBrowser = await newPage();
    await signInThroughUi(miasBrowser, t.url, OWNER.slug, MIA);

    // The owner: Members → the row's menu → Change email.
    const page = await newPage();
    await signInThroughUi(page, t.url, OWNER.slug, OWNER);
    await page.goto(`${t.url}/app/members`);
    await page.getByRole('button', { name: `Actions for ${MIA.email}` }).click();
    await page.getByRole('menuitem', { name: 'Change email' }).click();
    // The menu closes with a transition: scan and shoot the dialog only once it is gone.
    await expectHidden(page.getByRole('menu'));
    const dialog = page.getByRole('dialog', { name: 'Change email' });
    await expectVisible(dialog);
    await dialog.getByLabel('New email').fill(OWNER.email);
    await dialog.getByRole('button', { name: 'Send confirmation link' }).click();
    await expectVisible(dialog.getByText('Someone in this workspace already uses this email.'));
    await dialog.getByLabel('New email').fill(NEW_EMAIL);
    await screenshots(page, 'member-email-change');
    await dialog.getByRole('button', { name: 'Send confirmation link' }).click();
    await expectVisible(dialog.getByRole('status').filter({ hasText: `We sent a link to ${NEW_EMAIL}` }));
    await screenshots(page, 'member-email-change-sent');
    await dialog.getByRole('button', { name: 'Done' }).click();
    // Nothing changed yet.
    await expectVisible(page.getByRole('table', { name: 'Members' }).getByRole('cell', { name: MIA.email }));

    // Mia opens the link from the mail to her new address, signed out.
    const link = await confirmationLink(NEW_EMAIL);
    expect(link.startsWith(`${t.url}/email/confirm?token=`)).toBe(true);
    const confirmPage = await newPage();
    await confirmPage.goto(link);
    await expectVisible(confirmPage.getByRole('heading', { name: 'Confirm your new email address' }));
    await expectVisible(confirmPage.getByText(MIA.email, { exact: true }));
    await expectVisible(confirmPage.getByText(NEW_EMAIL, { exact: true }));
    await screenshots(confirmPage, 'confirm-email');
    await confirmPage.getByRole('button', { name: 'Confirm email address' }).click();
    await expectVisible(confirmPage.getByText(`Your email is now ${NEW_EMAIL}.`));
    await screenshots(confirmPage, 'confirm-email-done');

    // Her old browser is signed out.
    await miasBrowser.reload();
    await expectPath(miasBrowser, '/w/acme/sign-in'); // this tab's workspace, saying it was signed out

    // Sign in, with the new address already filled in and the same password.
    await confirmPage.getByRole('link', { name: 'Sign in' }).click();
    await expectPath(confirmPage, `/w/${OWNER.slug}/sign-in`);
    await expectInputValue(confirmPage.getByLabel('Username'), NEW_EMAIL);
    await confirmPage.getByLabel('Password', { exact: true }).fill(MIA.password);
    await confirmPage.getByRole('button', { name: 'Sign In' }).click();
    await expectVisible(confirmPage.getByRole('heading', { name: `Welcome, ${MIA.displayName}` }));

    // The link works once: opened again, it says the address is confirmed.
    await confirmPage.goto(link);
    await expectVisible(confirmPage.getByText(`Your email is now ${NEW_EMAIL}.`));
    expect(await confirmPage.getByRole('button', { name: 'Confirm email address' }).count()).toBe(0);
  });

  it('a link that does not work says so', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/email/confirm?token=${'A'.repeat(43)}`);
    await expectVisible(page.getByRole('heading', { name: 'This link does not work' }));
    await screenshots(page, 'confirm-email-bad-link');
  });
});
