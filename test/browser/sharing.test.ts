import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
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
import { waitForDeviceCode } from '../helpers/devices.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { decodeBase32, freshCode, hotp, totpStepAt, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  signIn,
} from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { ACCOUNT } from '../helpers/vault.js';
import { testClock } from '../helpers/clock.js';

/**
 * Sharing an account through a local partner (issue 5, SPEC §1 and §3), in three browsers at once: the
 * host admin shares it with the partner as Manager, the guest admin passes it on to a guest user with
 * Share Access, the guest user gets a TOTP code that this test computes too and never receives the
 * password, and removing the account from the partner takes it from both guests at their next request.
 * Everyone signs in with MFA on; the guests' browsers are trusted with the code this test's SMTP server
 * receives.
 */

const STORY_TIMEOUT_MS = 240_000;
const MAIL_TIMEOUT_MS = 30_000;
const PARTNER = 'Agency Ltd';
// The login page is not what this story is about: an address that leads nowhere, and popups are closed.
const SHARED = { ...ACCOUNT, loginUrl: 'https://login.instagram.invalid/' };

interface Person {
  email: string;
  password: string;
  displayName: string;
  /** The authenticator key, base32. */
  secret: string;
}

describeBrowser('sharing an account through a partner', { timeout: STORY_TIMEOUT_MS }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let owner: TestClient;
  let host: Person;
  let guestAdmin: Person;
  let guestUser: Person;
  let partnerId: string;
  let guestUserId: string;
  let accountId: string;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    host = { ...OWNER, secret: (await turnOnMfa(owner)).secret };

    // The owner is a host admin of the partner; its first guest admin and a guest user join through the API.
    const partner = await createPartner(owner, PARTNER, 'gina@agency.test', [(await me(owner)).user.id]);
    partnerId = partner.id;
    const gina = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, 'gina@agency.test')), {
      givenName: 'Gina',
      familyName: 'Guest',
    });
    guestAdmin = {
      email: 'gina@agency.test',
      password: GUEST_PASSWORD,
      displayName: 'Gina Guest',
      secret: (await turnOnMfa(gina)).secret,
    };
    const invited = await gina.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gus@agency.test' });
    expect(invited.statusCode, invited.body).toBe(201);
    const gus = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, 'gus@agency.test')), {
      givenName: 'Gus',
      familyName: 'User',
    });
    guestUser = {
      email: 'gus@agency.test',
      password: GUEST_PASSWORD,
      displayName: 'Gus User',
      secret: (await turnOnMfa(gus)).secret,
    };
    guestUserId = (await me(gus)).user.id;

    // The host admin's account, with a TOTP secret this test knows.
    const created = await owner.post('/api/v1/accounts', SHARED);
    expect(created.statusCode, created.body).toBe(201);
    accountId = (created.json() as { id: string }).id;

    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  /** A browser of its own for one person, signed in through the sign-in and verification pages. */
  async function signedInBrowser(person: Person): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    // Log in opens the account's login page in a new tab; this story does not follow it.
    context.on('page', (opened) => void (opened !== page && opened.close()));
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));
    await page.getByLabel('Authentication Code').fill(await freshCode(person.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${person.displayName}` }));
    return page;
  }

  /** Trusts the page's browser with the code mailed to the person (their first device). */
  async function trustBrowser(page: Page, person: Person): Promise<void> {
    await page.goto(`${t.url}/app/trusted-session`);
    await page.getByLabel('Name your device').fill(`${person.displayName}'s laptop`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(page.getByText(`We emailed a 6-digit code to ${person.email}`));
    const code = await waitForDeviceCode(smtp, person.email, 1, MAIL_TIMEOUT_MS);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Verify code' }).click();
    await expectVisible(page.getByText('This session is trusted'));
  }

  /**
   * Runs a sensitive step that may ask **Confirm your identity** (the sign-in's second factor counts for
   * five minutes): answers with a fresh code if the dialog appears, until `done` shows.
   */
  async function confirmingIdentityIfAsked(page: Page, person: Person, done: ReturnType<Page['getByRole']>) {
    const dialog = page.getByRole('dialog', { name: 'Confirm your identity' });
    await expectVisible(done.or(dialog));
    if (await dialog.isVisible()) {
      await dialog.getByLabel('Authentication Code').fill(await freshCode(person.secret));
      await dialog.getByRole('button', { name: 'Verify' }).click();
      await expectVisible(done);
    }
  }

  const accountCard = (page: Page) => page.getByRole('link', { name: SHARED.name, exact: true });

  it('host admin shares as Manager, guest admin passes it on, guest user logs in, removal reaches both', async () => {
    const hostPage = await signedInBrowser(host);
    const adminPage = await signedInBrowser(guestAdmin);
    await trustBrowser(adminPage, guestAdmin);
    const userPage = await signedInBrowser(guestUser);
    await trustBrowser(userPage, guestUser);

    // Everything the guest user's web app receives, to search it for the password afterwards.
    const received: Array<Promise<string>> = [];
    userPage.on('response', (response: Response) => {
      received.push(
        response
          .text()
          .then((body) => `${response.url()}\n${JSON.stringify(response.headers())}\n${body}`)
          .catch(() => `${response.url()}\n${JSON.stringify(response.headers())}`),
      );
    });

    // The host admin: Accounts tab → Share accounts → Select Accounts and Roles → Manager → Finish.
    await hostPage.goto(`${t.url}/app/partners/${partnerId}`);
    await hostPage.getByRole('tab', { name: 'Accounts' }).click();
    await expectVisible(hostPage.getByText('No accounts have been shared with this partner yet.'));
    await hostPage.getByRole('button', { name: 'Share accounts' }).click();
    const select = hostPage.getByRole('dialog', { name: 'Select Accounts and Roles' });
    await expectVisible(select);
    await select.getByRole('checkbox', { name: SHARED.name }).check();
    await select.getByLabel(`Role for ${SHARED.name}`).selectOption({ label: 'Manager' });
    // Access until (SPEC §8a): the share lasts through the chosen day.
    const lastDay = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000);
    const lastDayInput = lastDay.toISOString().slice(0, 10);
    const lastDayShown = await hostPage.evaluate(
      ([y, m, d]) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(y!, m! - 1, d!)),
      lastDayInput.split('-').map(Number),
    );
    await select.getByLabel('Access until').fill(lastDayInput);
    await screenshots(hostPage, 'sharing-select-accounts-and-roles');
    await select.getByRole('button', { name: 'Finish' }).click();
    await confirmingIdentityIfAsked(hostPage, host, toast(hostPage, `${SHARED.name} shared with ${PARTNER}`));
    await expectHidden(select);
    const sharedRow = hostPage
      .getByRole('table', { name: 'Shared accounts' })
      .getByRole('row')
      .filter({ hasText: SHARED.name });
    await expectVisible(sharedRow.getByText('Manager'));
    await expectVisible(sharedRow.getByText(lastDayShown, { exact: true }));

    // The guest admin: the card, the account page, Share Access to the guest user, Is it ok…? Share.
    await adminPage.goto(`${t.url}/app/accounts`);
    await accountCard(adminPage).click();
    await expectVisible(adminPage.getByRole('heading', { name: SHARED.name, level: 1 }));
    await adminPage.getByRole('button', { name: 'Share Access' }).click();
    const shareAccess = adminPage.getByRole('dialog', { name: 'Share Access' });
    await expectVisible(shareAccess);
    await shareAccess.getByLabel('Guest user', { exact: true }).click();
    await adminPage.getByRole('option', { name: /Gus User/ }).click();
    await shareAccess.getByRole('button', { name: 'Share Access' }).click();
    const isItOk = adminPage.getByRole('dialog', { name: 'Is it ok to share this account?' });
    await expectVisible(isItOk);
    await screenshots(adminPage, 'sharing-is-it-ok');
    await isItOk.getByRole('button', { name: 'Share', exact: true }).click();
    await confirmingIdentityIfAsked(adminPage, guestAdmin, toast(adminPage, `${SHARED.name} shared with`));

    // The host admin sees on View details that the guest user can use it now, as collaborator.
    await hostPage.goto(`${t.url}/app/partners/${partnerId}/members/${guestUserId}`);
    const theirAccounts = hostPage.getByRole('table', { name: 'Accounts they can use' });
    await expectVisible(theirAccounts.getByRole('row').filter({ hasText: SHARED.name }).getByText('Collaborator'));
    // Guest access ends on (SPEC §8a): the host admin gives the guest user a last day.
    const guestAccess = hostPage.getByRole('region', { name: 'Guest access' });
    await expectVisible(guestAccess.getByText('access has no end date'));
    await guestAccess.getByLabel('Guest access ends on').fill(lastDayInput);
    await guestAccess.getByRole('button', { name: 'Save end date' }).click();
    await expectVisible(guestAccess.getByText(`access ends by itself after ${lastDayShown}.`));
    await screenshots(hostPage, 'partner-member-guest-access-ends-on');

    // The guest user: the card, Log in, and the code this test computes from the secret.
    await userPage.goto(`${t.url}/app/accounts`);
    await expectVisible(accountCard(userPage));
    await accountCard(userPage).click();
    await expectVisible(userPage.getByRole('heading', { name: SHARED.name, level: 1 }));
    const before = testClock.now();
    await userPage.getByRole('button', { name: 'Log in' }).click();
    const codeShown = userPage.getByRole('status', { name: 'TOTP code', exact: true });
    await expectVisible(codeShown);
    const shown = (await codeShown.textContent())?.trim();
    const after = testClock.now();
    const key = decodeBase32(SHARED.totpSecret);
    // The server's clock and this test's may sit either side of a step boundary: allow the neighbours.
    const acceptable = new Set<string>();
    for (let step = totpStepAt(before) - 1; step <= totpStepAt(after) + 1; step++) acceptable.add(hotp(key, step));
    expect(acceptable).toContain(shown);
    await screenshots(userPage, 'sharing-guest-user-log-in');

    // Nowhere in the guest user's web app: not on the page, not in anything the server sent it.
    expect(await userPage.locator('body').innerText()).not.toContain(SHARED.password);
    expect(await userPage.content()).not.toContain(SHARED.password);
    const bodies = await Promise.all(received);
    expect(bodies.some((body) => body.includes(`/api/v1/accounts/${accountId}/totp-code`))).toBe(true);
    for (const body of bodies) expect(body).not.toContain(SHARED.password);

    // The host admin removes the account from the partner; the dialog says what else ends.
    await hostPage.goto(`${t.url}/app/partners/${partnerId}`);
    await hostPage.getByRole('tab', { name: 'Accounts' }).click();
    await hostPage.getByRole('button', { name: `Remove ${SHARED.name} from the partner` }).click();
    const removeDialog = hostPage.getByRole('dialog', { name: `Remove ${SHARED.name} from ${PARTNER}?` });
    await expectVisible(removeDialog.getByText('every onward share made from it ends too'));
    await screenshots(hostPage, 'sharing-remove-from-partner');
    await removeDialog.getByRole('button', { name: 'Remove from partner' }).click();
    await expectVisible(toast(hostPage, `${SHARED.name} removed from ${PARTNER}`));
    await expectVisible(hostPage.getByText('No accounts have been shared with this partner yet.'));

    // Both guests lose it at their very next request.
    for (const page of [adminPage, userPage]) {
      await page.reload();
      await expectVisible(page.getByRole('heading', { name: 'Account not found' }));
      await page.goto(`${t.url}/app/accounts`);
      await expectVisible(page.getByRole('heading', { name: 'Accounts', level: 1 }));
      await expectHidden(accountCard(page));
    }
    const afterRemoval = await userPage.request.get(`${t.url}/api/v1/accounts`);
    expect(((await afterRemoval.json()) as { accounts: unknown[] }).accounts).toEqual([]);
  });

  it('tells a host admin without MFA to turn it on before the Accounts tab shows anything', async () => {
    // A second host admin of the partner, signed in with a password only.
    const hostId = await addMember(owner, 'hugo@acme.test');
    const assigned = await owner.post(`/api/v1/partners/${partnerId}/host-admins`, { userId: hostId });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const hugo = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
    expect((await hugo.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    await signInThroughUi(page, t.url, OWNER.slug, {
      email: 'hugo@acme.test',
      password: MEMBER_PASSWORD,
      displayName: 'hugo Member',
    });

    await page.goto(`${t.url}/app/partners/${partnerId}`);
    await page.getByRole('tab', { name: 'Accounts' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'Turn on multi-factor authentication' });
    await expectVisible(problem);
    await expectHidden(page.getByRole('button', { name: 'Share accounts' }));
    await screenshots(page, 'sharing-accounts-tab-mfa-required');
    await problem.getByRole('link', { name: 'Turn on MFA' }).click();
    await expectPath(page, '/app/security');
  });
});
