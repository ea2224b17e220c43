import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  describeBrowser,
  DESKTOP,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  toast,
  UI_TIMEOUT_MS,
} from '../helpers/browser.js';
import { testClock } from '../helpers/clock.js';
import { waitForDeviceCode } from '../helpers/devices.js';
import { readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { freshCode, turnOnMfa } from '../helpers/mfa.js';
import { addMember, me } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { ACCOUNT } from '../helpers/vault.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 14, keyboard: the seeds' flow (SPEC §4) done with the keyboard alone — Tab, Shift+Tab, Enter,
 * Space, the arrow keys and typing; nothing is clicked, checked, selected or filled by the test. Locators
 * only say where focus should be. The host admin adds a partner (with a second host picked in the
 * host picker), the guest admin signs in with the mailed temporary password, changes it, names
 * themselves, accepts the terms, turns on MFA with the key the page shows and trusts the browser with
 * the mailed code; the host admin then shares an account with the partner as Manager and confirms
 * their identity with a code. Every stop the test checks shows a visible focus indicator.
 */

const PARTNER = 'Agency Ltd';
const GUEST = {
  email: 'gail@agency.test',
  givenName: 'Gail',
  familyName: 'Admin',
  password: 'violet kites over the harbour',
};
const SECOND_HOST = 'hugo@acme.test';
const SHARED = { ...ACCOUNT, loginUrl: 'https://login.instagram.invalid/' };
/** More Tab presses than any page here has stops before the one asked for: a bound, not a wait. */
const MAX_TABS = 40;
const MAIL_TIMEOUT_MS = 30_000;
/** Two people and three screenshots with their scans: about 40 s on a busy machine; room to spare. */
const STORY_TIMEOUT_MS = 90_000;

/** What has focus, in words a failure message can show: tag, role, name or label, a little text. */
function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '(the page itself)';
    const role = element.getAttribute('role');
    const labelled = element.getAttribute('aria-label') ?? (element as HTMLInputElement).labels?.[0]?.textContent;
    const text = (labelled ?? element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 50);
    return `<${element.tagName.toLowerCase()}${role ? ` role="${role}"` : ''}> "${text}"`;
  });
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === element.ownerDocument.activeElement).catch(() => false);
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, at most MAX_TABS times; fails naming every stop
 * focus went through, so a control that Tab skips (or a trap) is plain to see.
 */
async function tabTo(page: Page, target: Locator, { backwards = false } = {}): Promise<void> {
  await expectVisible(target);
  const stops: string[] = [];
  for (let presses = 0; presses <= MAX_TABS; presses++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    stops.push(await describeFocus(page));
  }
  throw new Error(
    `${backwards ? 'Shift+Tab' : 'Tab'} never reached ${target} in ${MAX_TABS} presses; focus went: ${stops.join(' → ')}`,
  );
}

/** Waits until `target` has focus without any key pressed (a dialog's first field, a page's autofocus). */
async function expectFocused(page: Page, target: Locator): Promise<void> {
  try {
    await waitFor(() => isFocused(target), `${target} to have focus`, UI_TIMEOUT_MS);
  } catch {
    throw new Error(`Expected ${target} to have focus, but ${await describeFocus(page)} has it.`);
  }
}

/**
 * The focused control shows where focus is: an outline or a ring (box-shadow) drawn around it, or around
 * the field's box it sits in (a password field with its eye button), as the keyboard user needs
 * (WCAG 2.4.7), not only a colour change a person may miss.
 */
async function expectFocusIndicator(target: Locator): Promise<void> {
  expect(await isFocused(target), `${target} should have focus`).toBe(true);
  const styles = await target.evaluate((element) => {
    const found: string[] = [];
    for (let node: Element | null = element, depth = 0; node && depth < 3; node = node.parentElement, depth++) {
      const computed = getComputedStyle(node);
      const outlined = computed.outlineStyle !== 'none' && parseFloat(computed.outlineWidth) > 0;
      if (outlined || computed.boxShadow !== 'none') return null;
      found.push(`<${node.tagName.toLowerCase()}> outline ${computed.outlineStyle} ${computed.outlineWidth}`);
    }
    return found.join(', ');
  });
  expect(styles, `${target} has focus but no visible indicator: ${styles}`).toBeNull();
}

async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

describeBrowser('the seeds’ flow with the keyboard alone', { timeout: STORY_TIMEOUT_MS }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let browser: Browser;
  let owner: TestClient;
  let ownerId: string;
  let ownerSecret: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createPublicTestApp({ smtpUrl: smtp.url });
    owner = await setUpWorkspace(t);
    ownerId = (await me(owner)).user.id;
    ownerSecret = (await turnOnMfa(owner)).secret;
    await addMember(owner, SECOND_HOST);
    const created = await owner.post('/api/v1/accounts', SHARED);
    expect(created.statusCode, created.body).toBe(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  async function newPage(cookie?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    if (cookie) await context.addCookies([{ name: 'gatehouse_session', value: cookie, url: t.url }]);
    return context.newPage();
  }

  it('host admin adds a partner, the guest admin joins, turns on MFA and trusts the browser, the host admin shares an account', async () => {
    // The host admin, signed in through the API (the sign-in is not what this story is about).
    const host = await newPage(owner.cookie('gatehouse_session'));
    await host.goto(`${t.url}/app`);
    await expectVisible(host.getByRole('heading', { name: `Welcome, ${OWNER.displayName}` }));

    // Main navigation → Partners → Add partner.
    const partnersLink = host.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' });
    await tabTo(host, partnersLink);
    await expectFocusIndicator(partnersLink);
    await press(host, 'Enter');
    await expectPath(host, '/app/partners');
    const addPartner = host.getByRole('button', { name: 'Add partner' });
    await tabTo(host, addPartner);
    await expectFocusIndicator(addPartner);
    await press(host, 'Enter');

    // The dialog opens on its first field; Tab walks the fields and the host picker.
    const addDialog = host.getByRole('dialog', { name: 'Add partner' });
    await expectVisible(addDialog);
    const companyName = addDialog.getByLabel('Company name');
    await expectFocused(host, companyName);
    await expectFocusIndicator(companyName);
    await host.keyboard.type(PARTNER);
    await press(host, 'Tab');
    await expectFocused(host, addDialog.getByLabel("Partner's email address"));
    await host.keyboard.type(GUEST.email);
    const hostPicker = addDialog.getByLabel('Partnership host');
    await tabTo(host, hostPicker);
    await host.keyboard.type('hugo');
    const hugoOption = host.getByRole('option', { name: new RegExp(SECOND_HOST) });
    await expectVisible(hugoOption);
    await press(host, 'ArrowDown');
    await press(host, 'Enter');
    // Escape closes the picker's list, not the dialog.
    await press(host, 'Escape');
    await expectHidden(hugoOption);
    await expectVisible(addDialog);
    await expectFocusIndicator(hostPicker);
    await expectVisible(addDialog.getByText(`hugo Member (${SECOND_HOST})`));
    await expectVisible(addDialog.getByText(`${OWNER.displayName} (${OWNER.email})`));
    const sendInvite = addDialog.getByRole('button', { name: 'Send Invite' });
    await tabTo(host, sendInvite);
    await expectFocusIndicator(sendInvite);
    await press(host, 'Enter');
    await expectPath(host, /^\/app\/partners\/[0-9a-f-]{36}$/);
    const partnerPath = new URL(host.url()).pathname;
    await expectVisible(toast(host, 'Invitation sent'));
    await expectVisible(host.getByRole('heading', { name: PARTNER }));

    // The guest admin follows the mail's link in a browser of their own.
    const invitation = readInvitationMail(await waitForMailTo(smtp, GUEST.email, 1, MAIL_TIMEOUT_MS));
    const guest = await newPage();
    await guest.goto(invitation.buttonUrl);
    const guestButton = guest.getByRole('link', { name: 'Log in as a guest user' });
    await tabTo(guest, guestButton);
    await expectFocusIndicator(guestButton);
    await press(guest, 'Enter');
    await expectPath(guest, `/w/${OWNER.slug}/sign-in`);
    await expectInputValue(guest.getByLabel('Username'), invitation.username);
    const password = guest.getByLabel('Password', { exact: true });
    await tabTo(guest, password);
    await expectFocusIndicator(password);
    await guest.keyboard.type(invitation.temporaryPassword);
    await press(guest, 'Enter');

    // Change Password: the new password twice and the name, sent with Enter from the last field.
    await expectVisible(guest.getByRole('heading', { name: 'Change Password' }));
    await tabTo(guest, guest.getByLabel('New Password', { exact: true }));
    await guest.keyboard.type(GUEST.password);
    await tabTo(guest, guest.getByLabel('Enter New Password Again', { exact: true }));
    await guest.keyboard.type(GUEST.password);
    await tabTo(guest, guest.getByLabel('Name', { exact: true }));
    await guest.keyboard.type(GUEST.givenName);
    await tabTo(guest, guest.getByLabel('Family Name', { exact: true }));
    await guest.keyboard.type(GUEST.familyName);
    const send = guest.getByRole('button', { name: 'Send' });
    await tabTo(guest, send);
    await press(guest, 'Enter');

    // The terms dialog keeps focus inside it: Space ticks the box, Enter on Continue accepts.
    await expectPath(guest, '/app');
    const terms = guest.getByRole('dialog', { name: 'Terms of service agreement' });
    await expectVisible(terms);
    const agree = terms.getByRole('checkbox', { name: /I confirm that I have read/ });
    await tabTo(guest, agree);
    await expectFocusIndicator(agree);
    await press(guest, 'Space');
    expect(await agree.isChecked()).toBe(true);
    const accept = terms.getByRole('button', { name: 'Continue' });
    await tabTo(guest, accept);
    await press(guest, 'Enter');
    await expectHidden(terms);
    await expectVisible(guest.getByRole('heading', { name: `Welcome, ${GUEST.givenName} ${GUEST.familyName}` }));

    // Turn on MFA from the checklist: the key under Can't scan?, and the code the test's authenticator computes.
    const checklist = guest.getByRole('region', { name: 'Set up your account' });
    const mfaStep = checklist.getByRole('link', { name: 'Turn on MFA' });
    await tabTo(guest, mfaStep);
    await expectFocusIndicator(mfaStep);
    await screenshots(guest, 'keyboard-only-dashboard');
    await press(guest, 'Enter');
    await expectPath(guest, '/app/security');
    await tabTo(guest, guest.getByRole('button', { name: 'Turn on MFA' }));
    await press(guest, 'Enter');
    const cantScan = guest.getByRole('button', { name: "Can't scan? Enter this key" });
    await tabTo(guest, cantScan);
    await expectFocusIndicator(cantScan);
    await press(guest, 'Enter');
    const keyField = guest.getByLabel('Key', { exact: true });
    await expectVisible(keyField);
    const secret = (await keyField.inputValue()).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await tabTo(guest, guest.getByLabel('Authentication Code'));
    await guest.keyboard.type(await freshCode(secret));
    await press(guest, 'Enter');
    await expectVisible(toast(guest, 'MFA is on'));
    await tabTo(guest, guest.getByRole('button', { name: 'I have saved my recovery codes' }));
    await press(guest, 'Enter');
    await expectVisible(guest.getByText('10 unused recovery codes left.', { exact: false }));

    // Trust this browser with the mailed code: Main navigation → Dashboard → the checklist's step.
    await tabTo(guest, guest.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }), {
      backwards: true,
    });
    await press(guest, 'Enter');
    await expectPath(guest, '/app');
    await tabTo(guest, checklist.getByRole('link', { name: 'Set up a trusted session' }));
    await press(guest, 'Enter');
    await expectPath(guest, '/app/trusted-session');
    await tabTo(guest, guest.getByLabel('Name your device'));
    await press(guest, 'ControlOrMeta+A');
    await guest.keyboard.type("Gail's laptop");
    await press(guest, 'Enter');
    await expectVisible(guest.getByText(`We emailed a 6-digit code to ${GUEST.email}`));
    const deviceCode = await waitForDeviceCode(smtp, GUEST.email, 1, MAIL_TIMEOUT_MS);
    await tabTo(guest, guest.getByLabel('Code', { exact: true }));
    await guest.keyboard.type(deviceCode);
    await press(guest, 'Enter');
    await expectVisible(guest.getByText('This session is trusted'));

    // The host admin shares the account. Their last second factor is older than 5 minutes, so Finish asks.
    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
      .where('user_id', '=', ownerId)
      .execute();
    await host.goto(`${t.url}${partnerPath}`);
    const membersTab = host.getByRole('tab', { name: 'Members' });
    await tabTo(host, membersTab);
    await expectFocusIndicator(membersTab);
    await press(host, 'ArrowRight');
    const accountsTab = host.getByRole('tab', { name: 'Accounts' });
    await expectFocused(host, accountsTab);
    await expect.poll(() => accountsTab.getAttribute('aria-selected')).toBe('true');
    const shareAccounts = host.getByRole('button', { name: 'Share accounts' });
    await tabTo(host, shareAccounts);
    await press(host, 'Enter');
    const select = host.getByRole('dialog', { name: 'Select Accounts and Roles' });
    await expectVisible(select);
    const checkbox = select.getByRole('checkbox', { name: SHARED.name });
    await tabTo(host, checkbox);
    await expectFocusIndicator(checkbox);
    await press(host, 'Space');
    expect(await checkbox.isChecked()).toBe(true);
    const role = select.getByLabel(`Role for ${SHARED.name}`);
    await tabTo(host, role);
    await expectFocusIndicator(role);
    await press(host, 'ArrowDown');
    await expectInputValue(role, 'manager');
    await screenshots(host, 'keyboard-only-select-accounts-and-roles');
    const finish = select.getByRole('button', { name: 'Finish' });
    await tabTo(host, finish);
    await press(host, 'Enter');

    // Confirm your identity opens on its code field: type the code, Enter.
    const confirm = host.getByRole('dialog', { name: 'Confirm your identity' });
    await expectVisible(confirm);
    await expectFocused(host, confirm.getByLabel('Authentication Code'));
    await host.keyboard.type(await freshCode(ownerSecret));
    await press(host, 'Enter');
    await expectVisible(toast(host, `${SHARED.name} shared with ${PARTNER}`));
    await expectHidden(select);
    const sharedRow = host
      .getByRole('table', { name: 'Shared accounts' })
      .getByRole('row')
      .filter({ hasText: SHARED.name });
    await expectVisible(sharedRow.getByText('Manager'));
  });
});
