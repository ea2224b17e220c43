import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { formatUtc } from '../../src/mail/templates.js';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  accessibleDescription,
  describeBrowser,
  DESKTOP,
  expectClickable,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  PHONE,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { readInvitationMail, waitForMailTo, type InvitationMail } from '../helpers/invitation-mail.js';
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The seeds' flow (SPEC §4) as people do it, with real mail: the owner adds a partner in the web app,
 * Gatehouse mails the invitation through a real SMTP server (this test's), and the guest admin follows
 * the mail's **Join as a guest** link in a browser of their own, signs in with the temporary password,
 * chooses a password, accepts the terms and lands on the setup checklist. The guest admin then invites
 * a guest user, who does the same in a third browser.
 */

const PARTNER = 'Agency Ltd';
const GUEST_ADMIN = {
  email: 'gail@agency.test',
  givenName: 'Gail',
  familyName: 'Admin',
  password: 'violet kites over the harbour',
};
const GUEST_USER = {
  email: 'gus@agency.test',
  givenName: 'Gus',
  familyName: 'User',
  password: 'seven lanterns by the river',
};
const GUEST_BUTTON = 'Log in as a guest user';
const COUNTDOWN = /Redirecting to your company's sign-in/;
const TERMS_CHECKBOX = 'I confirm that I have read, consent, and agree to the Terms of Service';

/** A whole story of several people on a busy machine; each step still fails fast on its own wait. */
const STORY_TIMEOUT_MS = 120_000;
/** Mail goes through the outbox worker and a real SMTP exchange: allow for a slow machine. */
const MAIL_TIMEOUT_MS = 30_000;

type Guest = typeof GUEST_ADMIN;

/** What each browser context is: the same Chromium, but no cookies or storage shared (another person). */
async function newPerson(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  // Fixed locale and time zone, so dates on the page read the same on every machine.
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
  contexts.push(context);
  return context.newPage();
}

const membersTable = (page: Page) => page.getByRole('table', { name: 'Members' });
const memberRow = (page: Page, email: string) => membersTable(page).getByRole('row').filter({ hasText: email });

/** Waits for the invitation to `to`, reads it, and checks what every invitation mail must hold. */
async function receiveInvitation(t: TestApp, smtp: TestSmtpServer, to: string): Promise<InvitationMail> {
  const invitation = readInvitationMail(await waitForMailTo(smtp, to, 1, MAIL_TIMEOUT_MS));
  expect(invitation.mail.subject).toBe("You're invited to join a workspace on Gatehouse");
  expect(invitation.username).toBe(to);
  expect(invitation.temporaryPassword.length).toBeGreaterThanOrEqual(16);
  expect(invitation.workspaceName).toBe(OWNER.workspaceName);
  expect(invitation.mail.html).toContain(OWNER.workspaceName);
  expect(invitation.mail.html).toContain(invitation.temporaryPassword);
  // The link leads to this very server, and the button and the text part agree on it.
  expect(invitation.joinUrl.startsWith(`${t.url}/w/${OWNER.slug}?invitation=`)).toBe(true);
  expect(invitation.buttonUrl).toBe(invitation.joinUrl);
  // The expiry is the invitation's own, in both parts.
  const row = await t.database.db
    .selectFrom('invitations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select('i.expires_at')
    .where('u.email', '=', to)
    .executeTakeFirstOrThrow();
  expect(invitation.expires).toBe(formatUtc(row.expires_at));
  expect(invitation.mail.html).toContain(invitation.expires);
  const hoursLeft = (row.expires_at.getTime() - Date.now()) / 3600_000;
  expect(hoursLeft).toBeGreaterThan(47);
  expect(hoursLeft).toBeLessThanOrEqual(48);
  return invitation;
}

/** From the mail's Join as a guest link to the Change Password page. */
async function followLinkAndSignIn(page: Page, invitation: InvitationMail, invitedBy: string): Promise<void> {
  await page.goto(invitation.buttonUrl);
  // The waiting page greets the invited guest and starts no countdown.
  await expectVisible(page.getByRole('heading', { name: `You're invited to ${OWNER.workspaceName}` }));
  await expectVisible(page.getByText(`You were invited as a guest of ${PARTNER} by ${invitedBy}.`));
  await expectVisible(page.getByText(invitation.username));
  await expectHidden(page.getByText(COUNTDOWN));
  await page.getByRole('link', { name: GUEST_BUTTON }).click();

  await expectPath(page, `/w/${OWNER.slug}/sign-in`);
  await expectVisible(page.getByRole('heading', { name: `Sign in to ${OWNER.workspaceName}` }));
  await expectInputValue(page.getByLabel('Username'), invitation.username);
  await page.getByLabel('Password', { exact: true }).fill(invitation.temporaryPassword);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expectVisible(page.getByRole('heading', { name: 'Change Password' }));
}

/** Change Password, the terms dialog, and the setup checklist: the rest of the first sign-in. */
async function finishFirstSignIn(page: Page, guest: Guest, shotPrefix: string): Promise<void> {
  const newPassword = page.getByLabel('New Password', { exact: true });
  const again = page.getByLabel('Enter New Password Again', { exact: true });
  await expectVisible(newPassword);
  await expectVisible(again);
  await expectVisible(page.getByLabel('Name', { exact: true }));
  await expectVisible(page.getByLabel('Family Name', { exact: true }));
  // The policy is a live checklist: the length rule turns from not met to met as the person types.
  const policy = page.getByRole('list', { name: 'Password policy' });
  await expectVisible(policy);
  const lengthRule = policy.getByRole('listitem').filter({ hasText: 'At least 12 characters' });
  await expectVisible(lengthRule.filter({ hasText: '(not met)' }));
  await newPassword.fill(guest.password);
  await expectVisible(lengthRule.filter({ hasText: '(met)' }).filter({ hasNotText: 'not met' }));
  await expectVisible(policy.getByRole('listitem').filter({ hasText: 'Not the temporary password' }));
  await again.fill(guest.password);
  await page.getByLabel('Name', { exact: true }).fill(guest.givenName);
  await page.getByLabel('Family Name', { exact: true }).fill(guest.familyName);
  await screenshots(page, `${shotPrefix}-change-password`);
  await page.getByRole('button', { name: 'Send' }).click();

  // The dashboard, under the terms dialog that cannot be skipped.
  await expectPath(page, '/app');
  await expectVisible(page.getByRole('heading', { name: `Welcome, ${guest.givenName} ${guest.familyName}` }));
  const terms = page.getByRole('dialog', { name: 'Terms of service agreement' });
  await expectVisible(terms);
  await expectVisible(terms.getByRole('link', { name: 'Terms of Service' }));
  const accept = terms.getByRole('button', { name: 'Continue' });
  expect(await accept.isDisabled()).toBe(true);
  await screenshots(page, `${shotPrefix}-terms`);
  await terms.getByRole('checkbox', { name: TERMS_CHECKBOX }).check();
  await accept.click();
  await expectHidden(terms);

  // The setup checklist.
  const checklist = page.getByRole('region', { name: 'Set up your account' });
  await expectVisible(checklist);
  for (const step of ['Turn on MFA', 'Install the client apps', 'Set up a trusted session']) {
    await expectVisible(checklist.getByText(step));
  }
  await screenshots(page, `${shotPrefix}-dashboard`);
}

/** Whether the element is what a tap on its centre would reach, rather than something over it (a dialog). */
async function isOnTop(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const reached = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return reached !== null && element.contains(reached);
  });
}

describeBrowser('guest onboarding in a real browser, with real mail', { timeout: STORY_TIMEOUT_MS }, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /**
   * One story on one server, step by step (each step needs the one before it): the owner, the guest
   * admin and the guest user, each in a browser of their own.
   */
  describe('the seeds’ flow, from the owner’s Add partner to a guest user invited by the guest admin', () => {
    let t: TestApp;
    let smtp: TestSmtpServer;
    const contexts: BrowserContext[] = [];
    let owner: Page;
    let guestAdmin: Page;
    let guestUser: Page;
    let partnerPath: string;

    beforeAll(async () => {
      smtp = await TestSmtpServer.start();
      t = await createPublicTestApp({ smtpUrl: smtp.url });
      await setUpWorkspace(t);
      owner = await newPerson(browser, contexts);
      guestAdmin = await newPerson(browser, contexts);
      guestUser = await newPerson(browser, contexts);
    });
    afterAll(async () => {
      for (const context of contexts) await context.close();
      await t?.close();
      await smtp?.close();
    });

    it('the owner adds a partner: Partners → Add partner → Send Invite', async () => {
      await signInThroughUi(owner, t.url, OWNER.slug, OWNER);
      await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
      await expectPath(owner, '/app/partners');
      await expectVisible(owner.getByRole('heading', { name: 'Partners', exact: true }));

      await owner.getByRole('button', { name: 'Add partner' }).click();
      const dialog = owner.getByRole('dialog', { name: 'Add partner' });
      await expectVisible(dialog);
      await dialog.getByLabel('Company name').fill(PARTNER);
      await dialog.getByLabel("Partner's email address").fill(GUEST_ADMIN.email);
      // Partnership host is pre-filled with the owner, who keeps it.
      await expectVisible(dialog.getByText(`${OWNER.displayName} (${OWNER.email})`));
      await screenshots(owner, 'guest-onboarding-add-partner');
      await dialog.getByRole('button', { name: 'Send Invite' }).click();

      await expectPath(owner, /^\/app\/partners\/[0-9a-f-]{36}$/);
      partnerPath = new URL(owner.url()).pathname;
      await expectHidden(dialog);
      await expectVisible(toast(owner, 'Invitation sent'));
      await expectVisible(owner.getByRole('heading', { name: PARTNER }));
      const row = memberRow(owner, GUEST_ADMIN.email);
      await expectVisible(row);
      await expectVisible(row.getByText('Guest admin', { exact: true }));
      await expectVisible(row.getByText('Invited', { exact: true }));
      await expectVisible(memberRow(owner, OWNER.email).getByText('Host admin', { exact: true }));
    });

    it('the invitation arrives by mail with workspace, username, temporary password, expiry and link', async () => {
      const invitation = await receiveInvitation(t, smtp, GUEST_ADMIN.email);
      expect(smtp.messages).toHaveLength(1);
      expect(invitation.mail.text).toContain(
        `invited you to join ${OWNER.workspaceName} on Gatehouse, as a guest of ${PARTNER}`,
      );

      // Its delivery shows on the partner page once the mail server took it.
      await waitFor(async () => {
        const rows = await t.database.db
          .selectFrom('outbox')
          .select('state')
          .where('recipient', '=', GUEST_ADMIN.email)
          .execute();
        return rows.length === 1 && rows[0]!.state === 'sent';
      }, 'the outbox to mark the invitation sent');
      await owner.reload();
      await expectVisible(memberRow(owner, GUEST_ADMIN.email).getByText('Pending — sent'));
    });

    it('the guest admin follows Join as a guest and completes the first sign-in in a browser of their own', async () => {
      const invitation = readInvitationMail(await waitForMailTo(smtp, GUEST_ADMIN.email));
      await followLinkAndSignIn(guestAdmin, invitation, OWNER.displayName);
      await finishFirstSignIn(guestAdmin, GUEST_ADMIN, 'guest-onboarding-admin');
    });

    it('the guest admin invites two addresses in one submit: Partners → the partner → Invite guest users → Send Invite, and sees each result', async () => {
      await guestAdmin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
      await expectPath(guestAdmin, '/app/partners');
      await guestAdmin.getByRole('table', { name: 'Your partners' }).getByRole('link', { name: PARTNER }).click();
      await expectPath(guestAdmin, partnerPath);
      await expectVisible(guestAdmin.getByRole('heading', { name: PARTNER }));
      await expectVisible(guestAdmin.getByText('You are a guest admin of this partner.'));

      await guestAdmin.getByRole('button', { name: 'Invite guest users' }).click();
      const dialog = guestAdmin.getByRole('dialog', { name: 'Invite guest users' });
      await expectVisible(dialog);
      const addresses = dialog.getByRole('textbox', { name: 'Email addresses' });
      // One per line or comma-separated; each is checked in the page before anything is sent.
      await addresses.fill(`${GUEST_USER.email}, not-an-address`);
      await dialog.getByRole('button', { name: 'Send Invite' }).click();
      await expectVisible(dialog.getByText('This is not an email address: not-an-address'));
      // An address of the workspace's own domain is refused by the server, the other one invited.
      await addresses.fill(`${GUEST_USER.email}\nsomeone@acme.test`);
      // On a phone, toasts stacked at the bottom covered the dialog's buttons: they now wait behind the dialog.
      await guestAdmin.setViewportSize(PHONE);
      await dialog.getByRole('button', { name: 'Send Invite' }).click();
      await expectVisible(toast(guestAdmin, 'Invitation sent'));
      await expectClickable(dialog.getByRole('button', { name: 'Done' }));
      expect(await isOnTop(toast(guestAdmin, 'Invitation sent'))).toBe(false);
      await guestAdmin.setViewportSize(DESKTOP);
      const results = dialog.getByRole('list', { name: 'Result for each address' });
      await expectVisible(dialog.getByText('1 of 2 invited.', { exact: false }));
      await expectVisible(results.getByRole('listitem').filter({ hasText: GUEST_USER.email }).getByText('Invited'));
      await expectVisible(
        results
          .getByRole('listitem')
          .filter({ hasText: 'someone@acme.test' })
          .getByText(/^Not invited\. acme\.test is the domain of a host admin/),
      );
      // The refused address stays in the field to correct or drop.
      await expectInputValue(addresses, 'someone@acme.test');
      await screenshots(guestAdmin, 'invite-guest-users-results');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expectHidden(dialog);
      const row = memberRow(guestAdmin, GUEST_USER.email);
      await expectVisible(row.getByText('Guest user', { exact: true }));
      await expectVisible(row.getByText('Invited', { exact: true }));
      // Resend invitation and Revoke ask first; Cancel leaves the invitation (and its mail) as it was.
      for (const [item, title] of [
        ['Resend invitation', `Resend the invitation to ${GUEST_USER.email}?`],
        ['Revoke', `Revoke the invitation to ${GUEST_USER.email}?`],
      ] as const) {
        await row.getByRole('button', { name: `Actions for ${GUEST_USER.email}` }).click();
        await guestAdmin.getByRole('menuitem', { name: item }).click();
        const asking = guestAdmin.getByRole('dialog', { name: title });
        await expectVisible(asking);
        await asking.getByRole('button', { name: 'Cancel' }).click();
        await expectHidden(asking);
      }
      await expectVisible(row.getByText('Invited', { exact: true }));
    });

    it('the guest user receives the mail and completes the same steps in a third browser', async () => {
      const invitation = await receiveInvitation(t, smtp, GUEST_USER.email);
      expect(invitation.mail.text).toContain(`${GUEST_ADMIN.givenName} ${GUEST_ADMIN.familyName} invited you`);
      await followLinkAndSignIn(guestUser, invitation, `${GUEST_ADMIN.givenName} ${GUEST_ADMIN.familyName}`);
      await finishFirstSignIn(guestUser, GUEST_USER, 'guest-onboarding-user');
    });

    it("the owner's partner page shows both guests as Active, with their names", async () => {
      await owner.reload();
      await expectVisible(owner.getByRole('heading', { name: PARTNER }));
      for (const [guest, role] of [
        [GUEST_ADMIN, 'Guest admin'],
        [GUEST_USER, 'Guest user'],
      ] as const) {
        const row = memberRow(owner, guest.email);
        await expectVisible(row.getByText(`${guest.givenName} ${guest.familyName}`));
        await expectVisible(row.getByText(role, { exact: true }));
        await expectVisible(row.getByText('Active', { exact: true }));
        await expectVisible(row.getByText('Accepted', { exact: true }));
      }
      await screenshots(owner, 'guest-onboarding-partner-page');
      // Exactly one invitation per person: nothing was sent twice. Each sponsor is told once that their
      // guest joined (SPEC §8a): the owner about the guest admin, the guest admin about the guest user.
      const joined = 'A guest you invited joined Gatehouse';
      expect(smtp.messages.filter((m) => m.subject !== joined).map((m) => m.to)).toEqual([
        [GUEST_ADMIN.email],
        [GUEST_USER.email],
      ]);
      await expect
        .poll(() => smtp.messages.filter((m) => m.subject === joined).map((m) => m.to))
        .toEqual([[OWNER.email], [GUEST_ADMIN.email]]);
    });
  });

  /** Each on a fresh server, with the invitation made through the API and mailed to this test's server. */
  describe('when something goes wrong, the guest is told clearly', () => {
    let t: TestApp;
    let smtp: TestSmtpServer;
    let contexts: BrowserContext[];
    let page: Page;
    let invitation: InvitationMail;
    let invitationId: string;

    beforeEach(async () => {
      smtp = await TestSmtpServer.start();
      t = await createPublicTestApp({ smtpUrl: smtp.url });
      const ownerClient = await setUpWorkspace(t);
      const partner = await createPartner(ownerClient, PARTNER, GUEST_ADMIN.email, [(await me(ownerClient)).user.id]);
      invitationId = partner.members.find((m) => m.email === GUEST_ADMIN.email)!.invitation!.id;
      invitation = readInvitationMail(await waitForMailTo(smtp, GUEST_ADMIN.email, 1, MAIL_TIMEOUT_MS));
      contexts = [];
      page = await newPerson(browser, contexts);
    });
    afterEach(async () => {
      for (const context of contexts) await context.close();
      await t?.close();
      await smtp?.close();
    });

    it('a wrong temporary password: "Wrong username or password.", and no session', async () => {
      await page.goto(invitation.joinUrl);
      await page.getByRole('link', { name: GUEST_BUTTON }).click();
      await expectInputValue(page.getByLabel('Username'), GUEST_ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(`${invitation.temporaryPassword}x`);
      await page.getByRole('button', { name: 'Sign In' }).click();

      await expectVisible(page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }));
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await expectInputValue(page.getByLabel('Password', { exact: true }), '');
      await expectInputValue(page.getByLabel('Username'), GUEST_ADMIN.email);
      await expectHidden(page.getByRole('heading', { name: 'Change Password' }));
      expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
    });

    it('a link used again after joining says it was already used, and leads to sign-in', async () => {
      await completeFirstSignIn(t, invitation, { givenName: 'Gail', familyName: 'Admin' });
      await page.goto(invitation.joinUrl);
      await expectVisible(page.getByText('This invitation has already been used.'));
      await expectVisible(page.getByText('Sign in with the password you chose.'));
      await expectHidden(page.getByRole('link', { name: GUEST_BUTTON }));
      await screenshots(page, 'guest-onboarding-link-used');

      await page.getByRole('link', { name: 'Go to sign-in' }).click();
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await page.getByLabel('Username').fill(GUEST_ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(GUEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await expectVisible(page.getByRole('heading', { name: 'Welcome, Gail Admin' }));
      await expectHidden(page.getByRole('heading', { name: 'Change Password' }));
    });

    it('an expired invitation says when it expired and who can resend it', async () => {
      await t.database.db
        .updateTable('invitations')
        .set({ expires_at: new Date('2026-03-03T14:15:00Z') })
        .where('id', '=', invitationId)
        .execute();
      await page.goto(invitation.joinUrl);
      await expectVisible(page.getByText('This invitation expired on March 3, 2026 at 2:15 PM.'));
      await expectVisible(page.getByText(`Ask ${OWNER.displayName} or another host admin of ${PARTNER} to resend it.`));
      await expectHidden(page.getByRole('heading', { name: `You're invited to ${OWNER.workspaceName}` }));
      await screenshots(page, 'guest-onboarding-link-expired');

      // The temporary password from the mail says the same on the sign-in page.
      await page.getByRole('link', { name: 'Go to sign-in' }).click();
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      await page.getByLabel('Username').fill(invitation.username);
      await page.getByLabel('Password', { exact: true }).fill(invitation.temporaryPassword);
      await page.getByRole('button', { name: 'Sign In' }).click();
      await expectVisible(
        page.getByRole('alert').filter({
          hasText: `Your temporary password expired on 3 March 2026, 14:15 UTC. Ask ${OWNER.displayName} or another host admin of ${PARTNER} to resend the invitation.`,
        }),
      );
      expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
    });

    it('new passwords that differ say "The two passwords do not match." under Enter New Password Again', async () => {
      await followLinkAndSignIn(page, invitation, OWNER.displayName);
      await page.getByLabel('New Password', { exact: true }).fill(GUEST_ADMIN.password);
      const again = page.getByLabel('Enter New Password Again', { exact: true });
      await again.fill(`${GUEST_ADMIN.password} but different`);
      await page.getByLabel('Name', { exact: true }).fill(GUEST_ADMIN.givenName);
      await page.getByLabel('Family Name', { exact: true }).fill(GUEST_ADMIN.familyName);
      await page.getByRole('button', { name: 'Send' }).click();

      await expectVisible(page.getByText('The two passwords do not match.'));
      expect(await accessibleDescription(again)).toContain('The two passwords do not match.');
      expect(await again.getAttribute('aria-invalid')).toBe('true');
      expect(await accessibleDescription(page.getByLabel('New Password', { exact: true }))).not.toContain(
        'do not match',
      );
      await expectVisible(page.getByRole('heading', { name: 'Change Password' }));
      await screenshots(page, 'guest-onboarding-mismatch');
      // Nothing changed: the guest is still invited and must still change the password.
      const user = await t.database.db
        .selectFrom('users')
        .select(['status', 'must_change_password'])
        .where('email', '=', GUEST_ADMIN.email)
        .executeTakeFirstOrThrow();
      expect(user).toEqual({ status: 'invited', must_change_password: true });
    });
  });
});
