import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  describeBrowser,
  expectHidden,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { testClock } from '../helpers/clock.js';

/**
 * TOTP as a person uses it (SPEC §5): a guest turns on MFA by typing the key shown under **Can't scan?
 * Enter this key** into an authenticator — the test's own RFC 6238 generator — and signs in again with a
 * code, then with a recovery code; a replayed code is refused. An admin resets a guest's MFA.
 */

const GUEST = { email: 'gina@agency.test', givenName: 'Gina', familyName: 'Guest' };
const GUEST_NAME = `${GUEST.givenName} ${GUEST.familyName}`;
const STORY_TIMEOUT_MS = 120_000;

describeBrowser('MFA in a real browser', { timeout: STORY_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let smtp: TestSmtpServer;
  let owner: TestClient;
  let partnerId: string;
  let guestId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A guest who finished the first sign-in through the API: Change Password and terms are done. */
  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    const partner = await createPartner(owner, 'Agency Ltd', GUEST.email, [(await me(owner)).user.id]);
    partnerId = partner.id;
    const invitation = readInvitationMail(await waitForMailTo(smtp, GUEST.email));
    const guest = await completeFirstSignIn(t, invitation, {
      givenName: GUEST.givenName,
      familyName: GUEST.familyName,
    });
    guestId = (await me(guest)).user.id;
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

  async function signOut(page: Page) {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expectPath(page, `/w/${OWNER.slug}/sign-in`);
  }

  /** Username and password; the verification page follows when MFA is on. */
  async function signInWithPassword(page: Page, username: string, password: string) {
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign In' }).click();
  }

  it('a guest turns on MFA with the key, then signs in with a code and with a recovery code; a replayed code is refused', async () => {
    const page = await newPerson();
    await signInThroughUi(page, t.url, OWNER.slug, {
      email: GUEST.email,
      password: GUEST_PASSWORD,
      displayName: GUEST_NAME,
    });

    await page.goto(`${t.url}/app/security`);
    await expectVisible(page.getByRole('heading', { name: 'Security', exact: true }));
    await expectVisible(page.getByText('MFA is required'));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expectVisible(page.getByRole('img', { name: 'QR code to add Gatehouse to your authenticator app' }));
    const qr = await page.getByRole('img', { name: /QR code/ }).getAttribute('src');
    expect(qr).toMatch(/^data:image\/png;base64,/);
    await expectHidden(page.getByLabel('Key', { exact: true }));
    await page.getByRole('button', { name: "Can't scan? Enter this key" }).click();
    const keyField = page.getByLabel('Key', { exact: true });
    await expectVisible(keyField);
    const shownKey = await keyField.inputValue();
    expect(shownKey).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const scanned = shownKey.replace(/\s/g, '');
    await screenshots(page, 'mfa-enrolment');

    // A code for another time (a phone whose clock is off) is refused with a hint; then the real one.
    await page.getByLabel('Authentication Code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByText(/your phone's clock may be off/));

    // Reloading in the middle keeps the key already scanned; Start over sets it aside, and a code from the
    // entry scanned before is recognised as such.
    await page.reload();
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expectVisible(page.getByText('The same key as before'));
    await page.getByRole('button', { name: "Can't scan? Enter this key" }).click();
    expect(await keyField.inputValue()).toBe(shownKey);
    await page.getByRole('button', { name: 'Start over with a new key' }).click();
    await expect.poll(() => keyField.inputValue()).not.toBe(shownKey);
    await expectHidden(page.getByText('The same key as before'));
    const secret = (await keyField.inputValue()).replace(/\s/g, '');
    await page.getByLabel('Authentication Code').fill(await freshCode(scanned));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByText(/comes from the key you set aside with Start over/));
    await screenshots(page, 'mfa-enrolment-earlier-key');
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(toast(page, 'MFA is on'));

    // Ten recovery codes, shown once.
    const codesList = page.getByRole('list', { name: 'Recovery codes' });
    await expectVisible(codesList);
    await expectVisible(page.getByText(/shown only now/));
    const recoveryCodes = (await codesList.getByRole('listitem').allInnerTexts()).map((code) => code.trim());
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    await screenshots(page, 'mfa-recovery-codes');
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await expectHidden(codesList);
    await expectVisible(page.getByText('10 unused recovery codes left.', { exact: false }));

    // Signing in again asks for the Authentication Code after the password.
    await signOut(page);
    await signInWithPassword(page, GUEST.email, GUEST_PASSWORD);
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));
    // Nothing else of the app shows meanwhile.
    await expectHidden(page.getByRole('navigation', { name: 'Main' }));
    await screenshots(page, 'mfa-verification-page');
    const usedCode = await freshCode(secret);
    await page.getByLabel('Authentication Code').fill(usedCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${GUEST_NAME}` }));

    // The same code again, still inside its 30 seconds, is refused.
    await signOut(page);
    await signInWithPassword(page, GUEST.email, GUEST_PASSWORD);
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));
    await page.getByLabel('Authentication Code').fill(usedCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByText(/That code didn't work/));
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));

    // A recovery code instead.
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${GUEST_NAME}` }));
    await page.goto(`${t.url}/app/security`);
    await expectVisible(page.getByText('9 unused recovery codes left.', { exact: false }));

    // That recovery code is spent.
    await signOut(page);
    await signInWithPassword(page, GUEST.email, GUEST_PASSWORD);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByText(/already used/));
    await page.getByRole('button', { name: 'Use an authentication code instead' }).click();
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${GUEST_NAME}` }));
  });

  it('a sensitive change asks to Confirm your identity once the 5 minutes have passed', async () => {
    const page = await newPerson();
    await signInThroughUi(page, t.url, OWNER.slug, {
      email: GUEST.email,
      password: GUEST_PASSWORD,
      displayName: GUEST_NAME,
    });
    await page.goto(`${t.url}/app/security`);
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await page.getByRole('button', { name: "Can't scan? Enter this key" }).click();
    const secret = (await page.getByLabel('Key', { exact: true }).inputValue()).replace(/\s/g, '');
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();

    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
      .where('user_id', '=', guestId)
      .execute();
    await page.reload();
    await page.getByRole('button', { name: 'Generate new recovery codes' }).click();
    await page
      .getByRole('dialog', { name: 'Generate new recovery codes?' })
      .getByRole('button', { name: 'Generate' })
      .click();
    const confirm = page.getByRole('dialog', { name: 'Confirm your identity' });
    await expectVisible(confirm);
    await screenshots(page, 'mfa-confirm-identity');
    await confirm.getByLabel('Authentication Code').fill(await freshCode(secret));
    await confirm.getByRole('button', { name: 'Verify' }).click();
    await expectHidden(confirm);
    await expectVisible(toast(page, 'New recovery codes generated'));
    await expectVisible(page.getByRole('list', { name: 'Recovery codes' }));
  });

  it('an admin resets a guest’s MFA: the guest is signed out, emailed, and must turn it on again', async () => {
    // The guest has MFA on and is signed in.
    const guestPage = await newPerson();
    await signInThroughUi(guestPage, t.url, OWNER.slug, {
      email: GUEST.email,
      password: GUEST_PASSWORD,
      displayName: GUEST_NAME,
    });
    const guestClient = t.client();
    await guestClient.post('/api/v1/auth/sign-in', {
      workspace: OWNER.slug,
      username: GUEST.email,
      password: GUEST_PASSWORD,
    });
    await turnOnMfa(guestClient);

    // The owner, with MFA on, signs in with a code and opens the guest's details.
    const { secret: ownerSecret } = await turnOnMfa(owner);
    const ownerPage = await newPerson();
    await signInWithPassword(ownerPage, OWNER.email, OWNER.password);
    await ownerPage.getByLabel('Authentication Code').fill(await freshCode(ownerSecret));
    await ownerPage.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(ownerPage.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));
    await ownerPage.goto(`${t.url}/app/partners/${partnerId}/members/${guestId}`);
    const section = ownerPage.getByRole('region', { name: 'Multi-factor authentication' });
    await expectVisible(section.getByText('Uses an authenticator app; 10 unused recovery codes.'));
    await section.getByRole('button', { name: 'Reset MFA' }).click();
    const dialog = ownerPage.getByRole('dialog', { name: `Reset MFA for ${GUEST_NAME}?` });
    await expectVisible(dialog);
    await screenshots(ownerPage, 'mfa-reset');
    await dialog.getByRole('button', { name: 'Reset MFA' }).click();
    await expectVisible(toast(ownerPage, `MFA reset for ${GUEST_NAME}`));
    await expectVisible(section.getByText('No second factor.'));

    const mail = await waitForMailTo(smtp, GUEST.email, 2);
    expect(mail.subject).toBe('Your multi-factor authentication on Gatehouse was reset');
    expect(mail.text).toContain(`${OWNER.displayName} reset your multi-factor authentication`);
    expect(mail.text).toContain(`${t.url}/w/${OWNER.slug}/sign-in`);

    // The guest's browser is signed out at its next request; signing in again asks for no code and comes
    // back to the Security page it asked for, which asks to turn MFA on again.
    await guestPage.goto(`${t.url}/app/security`);
    await expectPath(guestPage, /^\/(login|w\/)/);
    await guestPage.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await guestPage.getByLabel('Username').fill(GUEST.email);
    await guestPage.getByLabel('Password', { exact: true }).fill(GUEST_PASSWORD);
    await guestPage.getByRole('button', { name: 'Sign In' }).click();
    await expectPath(guestPage, '/app/security');
    await expectVisible(guestPage.getByText('MFA is required'));
    await expectVisible(guestPage.getByRole('button', { name: 'Turn on MFA' }));
  });
});
