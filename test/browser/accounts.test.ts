import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  accessibleDescription,
  DESKTOP,
  describeBrowser,
  expectNoSidewaysScroll,
  expectWithinWidth,
  PHONE,
  expectHidden,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { confirmIdentity, decodeBase32, freshCode, totp, turnOnMfa } from '../helpers/mfa.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
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
 * The accounts vault (SPEC §7) as its owner uses it in a browser: MFA on and the browser trusted, they add
 * an account (a bad TOTP secret is refused under its field first), find its card by search, press **Log
 * in** and read the TOTP code the server computed, which matches this test's own RFC 6238 generator, reveal
 * the password after **Confirm your identity**, and rename it. A member it is not shared with sees nothing.
 */

const STORY_TIMEOUT_MS = 150_000;
const MAIL_TIMEOUT_MS = 30_000;
const MANAGER = { email: 'gina@agency.test', givenName: 'Gina', familyName: 'Guestadmin' };
const GUEST_USER = { email: 'gus@agency.test', givenName: 'Gus', familyName: 'Guestuser' };
const MEMBER = { email: 'max@acme.test', displayName: 'max Member', password: MEMBER_PASSWORD };

describeBrowser('the accounts vault in a real browser', { timeout: STORY_TIMEOUT_MS }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let owner: TestClient;
  let ownerSecret: string;
  /** Set once the member has turned on MFA (the second test). */
  let memberSecret: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    ownerSecret = (await turnOnMfa(owner)).secret;
    await addMember(owner, MEMBER.email);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    return context.newPage();
  }

  /** Username and password, then the verification page with a code from the test's authenticator. */
  async function signInWithCode(
    page: Page,
    user: { email: string; password: string; displayName: string },
    secret: string,
  ) {
    await page.goto(`${t.url}/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expectVisible(page.getByRole('heading', { name: "Verify it's you" }));
    await page.getByLabel('Authentication Code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${user.displayName}` }));
  }

  const card = (page: Page, name: string) => page.getByRole('article', { name });

  /** The owner's account of the first test, by its name after the rename. */
  async function instagramId(): Promise<string> {
    const listed = await owner.get('/api/v1/accounts?search=instagram');
    expect(listed.statusCode, listed.body).toBe(200);
    return (listed.json().accounts as Array<{ id: string }>)[0]!.id;
  }

  /** Picks an option of a Mantine Select (its input opens a listbox of options). */
  async function choose(page: Page, label: string, option: string) {
    await page.getByRole('combobox', { name: label }).click();
    await page.getByRole('option', { name: option }).click();
  }

  /** Every API call the page makes, with its response body, to show what never reached it. */
  function recordApi(page: Page): Array<{ url: string; body: string }> {
    const seen: Array<{ url: string; body: string }> = [];
    page.on('response', (response) => {
      if (!response.url().includes('/api/')) return;
      void response
        .text()
        .catch(() => '')
        .then((body) => seen.push({ url: response.url(), body }));
    });
    return seen;
  }

  it('the owner adds an account, finds it, logs in with the TOTP code, reveals the password and renames it', async () => {
    // A second account, so that the search has something to leave out.
    const other = await owner.post('/api/v1/accounts', { name: 'Vendor portal', appName: 'Acme Supplies' });
    expect(other.statusCode, other.body).toBe(201);

    const page = await newPage();
    await signInWithCode(page, OWNER, ownerSecret);

    // Trust this browser with the code mailed to the owner (SPEC §6): TOTP codes need a trusted session.
    await page.goto(`${t.url}/app/trusted-session`);
    await expectVisible(page.getByLabel('Name your device'));
    await page.getByRole('button', { name: 'Continue' }).click();
    const deviceCode = await waitForDeviceCode(smtp, OWNER.email, 1, MAIL_TIMEOUT_MS);
    await page.getByLabel('Code', { exact: true }).fill(deviceCode);
    await page.getByRole('button', { name: 'Verify code' }).click();
    await expectVisible(page.getByText('This session is trusted'));

    // Accounts is in the navigation, second after Dashboard.
    await page.goto(`${t.url}/app`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expectVisible(nav.getByRole('link', { name: 'Accounts' }));
    const navLinks = await nav.getByRole('link').allInnerTexts();
    expect(navLinks.slice(0, 2)).toEqual(['Dashboard', 'Accounts']);
    await nav.getByRole('link', { name: 'Accounts' }).click();
    await expectPath(page, '/app/accounts');
    await expectVisible(page.getByRole('heading', { name: 'Accounts', exact: true }));
    await expectVisible(card(page, 'Vendor portal'));

    // Add account: a TOTP secret that is not base32 is refused under its field, and nothing is created.
    await page.getByRole('button', { name: 'Add account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await expectVisible(dialog);
    const loginUrl = `${t.url}/w/${OWNER.slug}/sign-in`;
    await dialog.getByLabel('Name', { exact: true }).fill(ACCOUNT.name);
    await dialog.getByLabel('App name').fill(ACCOUNT.appName);
    await dialog.getByLabel('Login URL').fill(loginUrl);
    await dialog.getByLabel('Username').fill(ACCOUNT.username);
    await dialog.getByLabel('Password', { exact: true }).fill(ACCOUNT.password);
    await dialog.getByLabel('TOTP secret').fill('not-a-secret!');
    await dialog.getByLabel('Notes').fill(ACCOUNT.notes);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    const secretField = dialog.getByLabel('TOTP secret');
    await expect.poll(() => accessibleDescription(secretField)).toContain('Not valid base32');
    expect(await secretField.getAttribute('aria-invalid')).toBe('true');
    await screenshots(page, 'accounts-add-bad-totp-secret');
    const afterRefusal = await owner.get('/api/v1/accounts');
    expect((afterRefusal.json().accounts as Array<{ name: string }>).map((a) => a.name)).toEqual(['Vendor portal']);

    await secretField.fill(ACCOUNT.totpSecret);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await expectHidden(dialog);
    await expectVisible(toast(page, `${ACCOUNT.name} added`));
    const added = card(page, ACCOUNT.name);
    await expectVisible(added);
    await expectVisible(added.getByText(ACCOUNT.appName));
    await expectVisible(added.getByText('Owner'));
    await screenshots(page, 'accounts-cards');

    // Search asks the server: only the matching card stays.
    const search = page.getByLabel('Search accounts');
    await search.fill('insta');
    await expectHidden(card(page, 'Vendor portal'));
    await expectVisible(card(page, ACCOUNT.name));
    await search.fill('no such thing');
    await expectVisible(page.getByText('No account matches “no such thing”.'));
    await expectHidden(card(page, ACCOUNT.name));
    // The username and the login URL are searched too (the username is sealed: the server opens it).
    await search.fill(ACCOUNT.username);
    await expectHidden(card(page, 'Vendor portal'));
    await expectVisible(card(page, ACCOUNT.name));
    await search.fill('instagram.com/accounts');
    await expectVisible(card(page, ACCOUNT.name));
    await search.fill('instagram');
    await card(page, ACCOUNT.name).getByRole('link', { name: ACCOUNT.name }).click();

    // The account's page: details for every role, never the password in clear.
    await expectVisible(page.getByRole('heading', { name: ACCOUNT.name }));
    const details = page.getByRole('region', { name: 'Account details' });
    await expectVisible(details.getByText(ACCOUNT.username));
    await expectVisible(details.getByRole('link', { name: loginUrl }));
    await expectVisible(details.getByText('Recovery email: social@acme.test'));
    expect(await page.locator('body').innerText()).not.toContain(ACCOUNT.password);
    // Copy puts the username on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await details.getByRole('button', { name: 'Copy username' }).click();
    await expectVisible(details.getByRole('button', { name: 'Copied username' }));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ACCOUNT.username);

    // Log in: the login page opens in a new tab and the server's TOTP code shows with a countdown. With
    // fewer than 5 s left on the current code (the servers' clock moves there instead of the test
    // waiting), the next code shows too, with its own countdown.
    const msToStepEnd = () => 30_000 - (testClock.now() % 30_000);
    if (msToStepEnd() < 4_500) testClock.advance(msToStepEnd() + 100);
    testClock.advance(msToStepEnd() - 4_500);
    const [loginTab] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    await loginTab.waitForLoadState('domcontentloaded');
    expect(loginTab.url()).toBe(loginUrl);
    const codeOutput = page.getByRole('status', { name: 'TOTP code', exact: true });
    const nextOutput = page.getByRole('status', { name: 'Next TOTP code', exact: true });
    await expectVisible(codeOutput);
    await expectVisible(nextOutput);
    const shown = (await codeOutput.innerText()).trim();
    const key = decodeBase32(ACCOUNT.totpSecret);
    const step = [-1, 0, 1]
      .map((offset) => Math.floor(testClock.now() / 30_000) + offset)
      .find((candidate) => totp(key, candidate * 30_000) === shown);
    expect(step, `${shown} is no code of this moment`).toBeDefined();
    expect((await nextOutput.innerText()).trim()).toBe(totp(key, (step! + 1) * 30_000));
    // Each with its countdown (the current one may run out while a slow machine gets here).
    await expectVisible(page.getByText(/^(Expires in \d s|This code has expired\. Use the next one\.)$/));
    await expectVisible(page.getByText(/^(Valid in \d s, for 30 s|Expires in \d\d s)$/));
    // Log in again: a new code, and no second login tab.
    await Promise.all([
      page.waitForResponse((response) => response.url().includes('/totp-code') && response.ok()),
      page.getByRole('button', { name: 'Log in' }).click(),
    ]);
    await expectVisible(page.getByText('The login page is open in another tab.'));
    expect(page.context().pages()).toHaveLength(2);
    await loginTab.close();
    await screenshots(page, 'accounts-log-in-totp-code');

    // Reveal: once the identity confirmation has run out, the dialog asks for a second factor first.
    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
      .where('user_id', '=', (await me(owner)).user.id)
      .execute();
    await page.reload();
    await expectVisible(page.getByRole('heading', { name: ACCOUNT.name }));
    await page.getByRole('button', { name: 'Reveal password' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm your identity' });
    await expectVisible(confirm);
    await expectVisible(confirm.getByText('Revealing a password needs a second factor within the last 5 minutes.'));
    await confirm.getByLabel('Authentication Code').fill(await freshCode(ownerSecret));
    await confirm.getByRole('button', { name: 'Verify' }).click();
    await expectHidden(confirm);
    await expectVisible(page.getByLabel('Revealed password').getByText(ACCOUNT.password, { exact: true }));
    await expectVisible(page.getByRole('button', { name: 'Copy password' }));
    await screenshots(page, 'accounts-revealed-password');

    // Edit: the new name shows at once, on the page and on the card.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit account' });
    await expectVisible(edit);
    // The password generator: the length and kinds chosen, shown in the field once made. Emptied again
    // here, which keeps the current password.
    await edit.getByRole('button', { name: 'Generator options' }).click();
    await edit.getByLabel('Length').fill('16');
    await edit.getByRole('checkbox', { name: 'Symbols (!#$…)' }).uncheck();
    await edit.getByRole('button', { name: 'Generate password' }).click();
    const passwordField = edit.getByLabel('Password', { exact: true });
    await expect.poll(() => passwordField.inputValue()).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await passwordField.getAttribute('type')).toBe('text');
    await screenshots(page, 'accounts-edit-password-generator');
    await passwordField.fill('');
    await edit.getByLabel('Name', { exact: true }).fill('Company Instagram (main)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expectHidden(edit);
    await expectVisible(toast(page, 'Changes saved'));
    await expectVisible(page.getByRole('heading', { name: 'Company Instagram (main)' }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Search accounts').fill('');
    await expectVisible(card(page, 'Company Instagram (main)'));

    // The owner's Users tab lists the owner.
    await card(page, 'Company Instagram (main)').getByRole('link').click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Guest users' }));
    await expectVisible(
      page.getByRole('table', { name: 'Members and partners' }).getByRole('row').filter({ hasText: OWNER.email }),
    );
  });

  it('a member the account is not shared with sees no card, and is told to turn on MFA first', async () => {
    // The member has accepted the workspace's terms (through the API: not what this story is about).
    const memberClient = await signIn(t, MEMBER.email, MEMBER.password);
    const terms = (await memberClient.get('/api/v1/terms/current')).json() as { version: number };
    const accepted = await memberClient.post('/api/v1/terms/accept', { version: terms.version });
    expect(accepted.statusCode, accepted.body).toBe(204);

    const page = await newPage();
    await signInThroughUi(page, t.url, OWNER.slug, MEMBER);
    await page.goto(`${t.url}/app/accounts`);
    const alert = page.getByRole('alert').filter({ hasText: 'Turn on multi-factor authentication' });
    await expectVisible(alert);
    await alert.getByRole('link', { name: 'Turn on MFA' }).click();
    await expectPath(page, '/app/security');

    memberSecret = (await turnOnMfa(memberClient)).secret;
    const fresh = await newPage();
    await signInWithCode(fresh, MEMBER, memberSecret);
    await fresh.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await expectVisible(fresh.getByText('No accounts yet.', { exact: false }));
    await expectHidden(fresh.getByRole('article'));
    // Members may add their own; nothing of the owner's shows.
    await expectVisible(fresh.getByRole('button', { name: 'Add account' }));
    const listed = await memberClient.get('/api/v1/accounts');
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().accounts).toEqual([]);
  });

  it('the owner shares the account with a member as collaborator; the collaborator gets no password and no Reveal', async () => {
    const accountId = await instagramId();
    const ownerPage = await newPage();
    await signInWithCode(ownerPage, OWNER, ownerSecret);
    await ownerPage.goto(`${t.url}/app/accounts/${accountId}`);
    await ownerPage.getByRole('tab', { name: 'Users' }).click();
    await ownerPage.getByRole('button', { name: 'Share with a member' }).click();
    const dialog = ownerPage.getByRole('dialog', { name: 'Share with a member' });
    await expectVisible(dialog);
    await choose(ownerPage, 'Member', `${MEMBER.displayName} (${MEMBER.email})`);
    await dialog.getByRole('button', { name: 'Share' }).click();
    await expectHidden(dialog);
    await expectVisible(
      toast(ownerPage, `Company Instagram (main) shared with ${MEMBER.displayName} (${MEMBER.email})`),
    );
    const memberRow = ownerPage
      .getByRole('table', { name: 'Members and partners' })
      .getByRole('row')
      .filter({ hasText: MEMBER.email });
    await expectVisible(memberRow.getByText('Collaborator'));

    // The collaborator: the card, the details, Log in; no Reveal, Edit, Delete or Users, and no password.
    const page = await newPage();
    const calls = recordApi(page);
    await signInWithCode(page, MEMBER, memberSecret);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    const shared = card(page, 'Company Instagram (main)');
    await expectVisible(shared.getByText('Collaborator'));
    await shared.getByRole('link').click();
    await expectVisible(page.getByRole('heading', { name: 'Company Instagram (main)' }));
    await expectVisible(page.getByRole('region', { name: 'Account details' }).getByText(ACCOUNT.username));
    for (const name of ['Reveal password', 'Reveal TOTP secret', 'Edit', 'Delete', 'Share Access']) {
      await expectHidden(page.getByRole('button', { name, exact: true }));
    }
    await expectHidden(page.getByRole('tab', { name: 'Users' }));

    // This browser is not trusted: Log in gives no code and says why, with the way to fix it.
    await page.getByRole('button', { name: 'Log in' }).click();
    const notSecure = page.getByRole('alert').filter({ hasText: 'Your current session is not secure' });
    await expectVisible(notSecure);
    await expectVisible(notSecure.getByRole('link', { name: 'Set up a trusted session' }));
    await expectHidden(page.getByRole('status', { name: 'TOTP code' }));
    await screenshots(page, 'accounts-collaborator-not-secure');

    expect(await page.locator('body').innerText()).not.toContain(ACCOUNT.password);
    await expect.poll(() => calls.some((call) => call.url.includes('/totp-code'))).toBe(true);
    expect(calls.filter((call) => /\/(reveal|autofill)$/.test(new URL(call.url).pathname))).toEqual([]);
    expect(calls.filter((call) => call.body.includes(ACCOUNT.password))).toEqual([]);
  });

  it("guests: the manager passes the account on with Share Access; the owner's Users tab lists both, changes a role and removes one; the owner deletes an account", async () => {
    const accountId = await instagramId();
    const ownerId = (await me(owner)).user.id;
    const partner = await createPartner(owner, 'Agency Ltd', MANAGER.email, [ownerId]);
    const manager = await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, MANAGER.email)), {
      givenName: MANAGER.givenName,
      familyName: MANAGER.familyName,
    });
    const invited = await owner.post(`/api/v1/partners/${partner.id}/guests`, { email: GUEST_USER.email });
    expect(invited.statusCode, invited.body).toBe(201);
    await completeFirstSignIn(t, readInvitationMail(await waitForMailTo(smtp, GUEST_USER.email)), {
      givenName: GUEST_USER.givenName,
      familyName: GUEST_USER.familyName,
    });
    await confirmIdentity(owner, ownerSecret);
    const shared = await owner.post(`/api/v1/partners/${partner.id}/accounts`, {
      accounts: [{ accountId, role: 'manager' }],
    });
    expect(shared.statusCode, shared.body).toBe(204);
    const { secret: managerSecret } = await turnOnMfa(manager);

    // The guest admin, manager of the account: the host's initial on the card, Share Access, no password.
    const page = await newPage();
    const calls = recordApi(page);
    const managerName = `${MANAGER.givenName} ${MANAGER.familyName}`;
    await signInWithCode(
      page,
      { email: MANAGER.email, password: GUEST_PASSWORD, displayName: managerName },
      managerSecret,
    );
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    const managerCard = card(page, 'Company Instagram (main)');
    await expectVisible(managerCard.getByRole('img', { name: `Shared by ${OWNER.workspaceName}` }));
    await expectVisible(managerCard.getByText('Manager'));
    await expectHidden(page.getByRole('button', { name: 'Add account' }));
    await screenshots(page, 'accounts-guest-cards');
    await managerCard.getByRole('link').click();
    await expectHidden(page.getByRole('button', { name: 'Reveal password' }));
    await page.getByRole('button', { name: 'Share Access' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share Access' });
    await expectVisible(dialog);
    await choose(page, 'Guest user', `${GUEST_USER.givenName} ${GUEST_USER.familyName} (${GUEST_USER.email})`);
    await dialog.getByRole('button', { name: 'Share Access' }).click();
    const ask = page.getByRole('dialog', { name: 'Is it ok to share this account?' });
    await expectVisible(ask);
    await screenshots(page, 'accounts-share-access-confirmation');
    await ask.getByRole('button', { name: 'Share' }).click();
    await expectHidden(ask);
    await expectVisible(toast(page, 'Company Instagram (main) shared with'));
    expect(await page.locator('body').innerText()).not.toContain(ACCOUNT.password);
    expect(calls.filter((call) => /\/(reveal|autofill)$/.test(new URL(call.url).pathname))).toEqual([]);

    // The owner's Users tab: both guests, through the partner; the owner changes a role and removes one.
    const ownerPage = await newPage();
    await signInWithCode(ownerPage, OWNER, ownerSecret);
    await ownerPage.goto(`${t.url}/app/accounts/${accountId}`);
    await ownerPage.getByRole('tab', { name: 'Users' }).click();
    const guests = ownerPage.getByRole('table', { name: 'Guest users' });
    const row = (email: string) => guests.getByRole('row').filter({ hasText: email });
    await expectVisible(row(MANAGER.email).getByText('Agency Ltd'));
    await expectVisible(row(GUEST_USER.email).getByText('Agency Ltd'));
    await expectVisible(row(GUEST_USER.email).getByText('Active'));
    expect(await ownerPage.getByRole('combobox', { name: `Role of ${MANAGER.email}` }).inputValue()).toBe('Manager');
    expect(await ownerPage.getByRole('combobox', { name: `Role of ${GUEST_USER.email}` }).inputValue()).toBe(
      'Collaborator',
    );
    await screenshots(ownerPage, 'accounts-users-tab');
    // On a phone each person is a card: nothing scrolls sideways, the removal stays on screen (issue 14).
    await ownerPage.setViewportSize(PHONE);
    try {
      await expectNoSidewaysScroll(guests);
      await expectWithinWidth(row(GUEST_USER.email).getByRole('button', { name: /Remove from account/ }));
    } finally {
      await ownerPage.setViewportSize(DESKTOP);
    }

    await choose(ownerPage, `Role of ${GUEST_USER.email}`, 'Manager');
    await expectVisible(toast(ownerPage, `${GUEST_USER.email} is now manager`));
    await expect
      .poll(() => ownerPage.getByRole('combobox', { name: `Role of ${GUEST_USER.email}` }).inputValue())
      .toBe('Manager');

    await row(GUEST_USER.email)
      .getByRole('button', { name: `Remove from account: ${GUEST_USER.email}` })
      .click();
    const confirmRemoval = ownerPage.getByRole('dialog', { name: 'Remove from account?' });
    await expectVisible(confirmRemoval);
    await confirmRemoval.getByRole('button', { name: 'Remove from account' }).click();
    await expectHidden(confirmRemoval);
    await expectVisible(toast(ownerPage, `${GUEST_USER.email} removed from Company Instagram (main)`));
    await expectHidden(row(GUEST_USER.email));
    await expectVisible(row(MANAGER.email));
    // The only owner is not offered a removal the server would refuse.
    const members = ownerPage.getByRole('table', { name: 'Members and partners' });
    await expectVisible(members.getByRole('row').filter({ hasText: OWNER.email }));
    await expectHidden(members.getByRole('button', { name: `Remove from account: ${OWNER.email}` }));

    // Delete (owners): after the confirmation the account is gone from the list.
    await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await card(ownerPage, 'Vendor portal').getByRole('link').click();
    await ownerPage.getByRole('button', { name: 'Delete' }).click();
    const confirmDelete = ownerPage.getByRole('dialog', { name: 'Delete account?' });
    await expectVisible(confirmDelete);
    await confirmDelete.getByRole('button', { name: 'Delete' }).click();
    await expectVisible(toast(ownerPage, 'Vendor portal deleted'));
    await expectPath(ownerPage, '/app/accounts');
    await expectVisible(card(ownerPage, 'Company Instagram (main)'));
    await expectHidden(card(ownerPage, 'Vendor portal'));
  });
});
