import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  toast,
} from '../helpers/browser.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/**
 * **Reset password** for a guest (SPEC §2a) as people do it: a host admin presses it on the guest's
 * member page and confirms; the guest reads the mail, signs in with the temporary password, passes their
 * second factor and is asked to choose a new password on **Change Password**.
 */

const GUEST = { email: 'gina@agency.test', givenName: 'Gina', familyName: 'Guest' };
const GUEST_NAME = `${GUEST.givenName} ${GUEST.familyName}`;
const NEW_PASSWORD = 'gina chose this one herself';
const STORY_TIMEOUT_MS = 120_000;

describeBrowser('Reset password for a guest, in a real browser', { timeout: STORY_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let smtp: TestSmtpServer;
  let owner: TestClient;
  let partnerId: string;
  let guestId: string;
  let guestSecret: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A guest who joined through the API and turned on MFA; the owner hosts their partner. */
  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    const partner = await createPartner(owner, 'Agency Ltd', GUEST.email, [(await me(owner)).user.id]);
    partnerId = partner.id;
    const guest = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GUEST.email)), {
      givenName: GUEST.givenName,
      familyName: GUEST.familyName,
    });
    guestId = (await me(guest)).user.id;
    guestSecret = (await turnOnMfa(guest)).secret;
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPerson(): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    return context.newPage();
  }

  it('a host admin resets it on the member page; the guest signs in with the mailed password and must change it', async () => {
    // The owner, a host admin of the partner with MFA on, signs in and opens the guest's details.
    const { secret: ownerSecret } = await turnOnMfa(owner);
    const ownerPage = await newPerson();
    await ownerPage.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await ownerPage.getByLabel('Username').fill(OWNER.email);
    await ownerPage.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await ownerPage.getByRole('button', { name: 'Sign In' }).click();
    await ownerPage.getByLabel('Authentication Code').fill(await freshCode(ownerSecret));
    await ownerPage.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(ownerPage.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await ownerPage.goto(`${t.url}/app/partners/${partnerId}/members/${guestId}`);
    await expectVisible(ownerPage.getByRole('heading', { name: GUEST_NAME, level: 1 }));
    const section = ownerPage.getByRole('region', { name: 'Password' });
    await expectVisible(section.getByRole('button', { name: 'Reset password' }));
    await expectVisible(ownerPage.getByRole('region', { name: 'Multi-factor authentication' }));
    await screenshots(ownerPage, 'guest-password-reset-member-page');

    // Cancel changes nothing; then Reset password, confirmed.
    await section.getByRole('button', { name: 'Reset password' }).click();
    const dialog = ownerPage.getByRole('dialog', { name: `Reset password for ${GUEST_NAME}?` });
    await expectVisible(dialog.getByText(`We email ${GUEST.email} a new temporary password`));
    await screenshots(ownerPage, 'guest-password-reset-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expectHidden(dialog);
    await section.getByRole('button', { name: 'Reset password' }).click();
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await expectVisible(toast(ownerPage, `Password reset: a temporary password was emailed to ${GUEST.email}`));
    await expectHidden(dialog);

    // The guest's mail, as on invitation, with a link to the sign-in page.
    const mail = await waitForMailTo(smtp, GUEST.email, 2);
    expect(mail.subject).toBe('Your Gatehouse password was reset: a new temporary password');
    const temporaryPassword = /^Temporary password: (\S+)$/m.exec(mail.text)?.[1];
    const signInUrl = /^Sign in: (\S+)$/m.exec(mail.text)?.[1];
    expect(temporaryPassword).toBeDefined();
    expect(signInUrl).toBe(`${t.url}/w/${OWNER.slug}/sign-in?username=gina%40agency.test`);

    // The guest follows the link: the username is filled in; the old password no longer works.
    const guestPage = await newPerson();
    await guestPage.goto(signInUrl!);
    await expectInputValue(guestPage.getByLabel('Username'), GUEST.email);
    await guestPage.getByLabel('Password', { exact: true }).fill(GUEST_PASSWORD);
    await guestPage.getByRole('button', { name: 'Sign In' }).click();
    await expectVisible(guestPage.getByText('Wrong username or password.'));
    await guestPage.getByLabel('Password', { exact: true }).fill(temporaryPassword!);
    await guestPage.getByRole('button', { name: 'Sign In' }).click();

    // Their second factor first, as before the reset, then Change Password.
    await guestPage.getByLabel('Authentication Code').fill(await freshCode(guestSecret));
    await guestPage.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(guestPage.getByRole('heading', { name: 'Change Password' }));
    await expectVisible(guestPage.getByText('Your password was reset.', { exact: false }));
    await screenshots(guestPage, 'guest-password-reset-change-password');
    await guestPage.getByLabel('New Password', { exact: true }).fill(NEW_PASSWORD);
    await guestPage.getByLabel('Enter New Password Again', { exact: true }).fill(NEW_PASSWORD);
    await guestPage.getByLabel('Name', { exact: true }).fill(GUEST.givenName);
    await guestPage.getByLabel('Family Name', { exact: true }).fill(GUEST.familyName);
    await guestPage.getByRole('button', { name: 'Send' }).click();
    // Straight to the dashboard: no second code, no terms again.
    await expectVisible(guestPage.getByRole('heading', { name: `Welcome, ${GUEST_NAME}` }));
    await expectPath(guestPage, /^\/app/);
  });
});
