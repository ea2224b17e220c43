import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  expectHidden,
  expectNoSidewaysScroll,
  expectPath,
  expectVisible,
  expectWithinWidth,
  launchBrowser,
  PHONE,
  DESKTOP,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import { readJoinLink, signIn } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

const OWNER = {
  workspaceName: 'Acme Inc',
  slug: 'acme',
  displayName: 'Ada Owner',
  email: 'ada@acme.test',
  password: 'correct horse battery staple',
} as const;

const BOB = {
  email: 'bob@acme.test',
  displayName: 'Bob Builder',
  password: 'tulips in the rain 42',
} as const;

/**
 * SPEC §2a as the people involved live it, one story on one server: the owner invites Bob, who joins
 * from the emailed link and chooses his own password; the owner makes him an admin; Bob comes to own an
 * account; the owner deactivates him (asked first to whom the account goes), Bob's open browser is
 * signed out on its next request and he cannot sign in; reactivated, he signs in with nothing back.
 */
describeBrowser(
  'members: invite, join, change role, deactivate, reactivate',
  { timeout: BROWSER_TEST_TIMEOUT_MS },
  () => {
    let browser: Browser;
    let t: TestApp;
    let ownerContext: BrowserContext;
    let owner: Page;
    let bobContext: BrowserContext;
    let bob: Page;
    /** The owner through the API: reads the development outbox (the workspace sends no SMTP mail here). */
    let ownerApi: TestClient;
    let bobId: string;
    /** Bob's authenticator key, once he turned MFA on. */
    let bobSecret: string;

    beforeAll(async () => {
      browser = await launchBrowser();
      t = await createTestApp({ listen: true });
      ownerApi = t.client();
      const setup = await ownerApi.post('/api/v1/setup', OWNER);
      if (setup.statusCode !== 201) throw new Error(`set-up failed: ${setup.statusCode} ${setup.body}`);
      ownerContext = await browser.newContext();
      owner = await ownerContext.newPage();
      bobContext = await browser.newContext();
      bob = await bobContext.newPage();
    });
    afterAll(async () => {
      await bobContext?.close();
      await ownerContext?.close();
      await browser?.close();
      await t?.close();
    });

    const membersTable = (page: Page) => page.getByRole('table', { name: 'Members' });
    const bobRow = () => membersTable(owner).getByRole('row').filter({ hasText: BOB.email });
    const openBobMenu = async (item: string) => {
      await bobRow()
        .getByRole('button', { name: `Actions for ${BOB.email}` })
        .click();
      await owner.getByRole('menuitem', { name: item }).click();
      // The menu closes with a transition: scan and shoot the dialog only once it is gone.
      await expectHidden(owner.getByRole('menu'));
    };

    it('the owner invites Bob: the row says invited, with the email on its way', async () => {
      await signInThroughUi(owner, t.url, OWNER.slug, OWNER);
      await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await expectPath(owner, '/app/members');
      await owner.getByRole('button', { name: 'Invite member' }).click();
      const dialog = owner.getByRole('dialog', { name: 'Invite member' });
      await dialog.getByLabel('Email', { exact: true }).fill(BOB.email);
      await dialog.getByLabel('Role').selectOption({ label: 'Member' });
      // No password field: nobody but Bob chooses his.
      expect(await dialog.getByLabel(/password/i).count()).toBe(0);
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      await expectVisible(toast(owner, `Invitation sent to ${BOB.email}`));
      await expectHidden(dialog);
      await expectVisible(bobRow().getByText('Invited', { exact: true }));
      await expectVisible(bobRow().getByText(/expires/));
      await screenshots(owner, 'members-invited');

      // Resend invitation and Revoke ask first; Cancel leaves the invitation as it was.
      for (const [item, title] of [
        ['Resend invitation', `Resend the invitation to ${BOB.email}?`],
        ['Revoke', `Revoke the invitation to ${BOB.email}?`],
      ] as const) {
        await bobRow()
          .getByRole('button', { name: `Actions for ${BOB.email}` })
          .click();
        await owner.getByRole('menuitem', { name: item }).click();
        const asking = owner.getByRole('dialog', { name: title });
        await expectVisible(asking);
        await asking.getByRole('button', { name: 'Cancel' }).click();
        await expectHidden(asking);
      }
      await expectVisible(bobRow().getByText('Invited', { exact: true }));
    });

    it('on a phone the members show as cards: nothing scrolls sideways, status and row menu on screen', async () => {
      await owner.setViewportSize(PHONE);
      try {
        await expectNoSidewaysScroll(membersTable(owner));
        await expectWithinWidth(bobRow().getByText('Invited', { exact: true }));
        const menu = bobRow().getByRole('button', { name: `Actions for ${BOB.email}` });
        await expectWithinWidth(menu);
        await menu.click();
        await expectWithinWidth(owner.getByRole('menuitem', { name: 'Resend invitation' }));
        await owner.keyboard.press('Escape');
        await expectHidden(owner.getByRole('menuitem', { name: 'Resend invitation' }));
      } finally {
        await owner.setViewportSize(DESKTOP);
      }
    });

    it('Bob opens the Join workspace link, chooses his password with the live checklist, and is in', async () => {
      const { joinUrl } = await readJoinLink(ownerApi, BOB.email);
      // A link cut short (as some mail clients wrap it) says it is incomplete, in words (issue 14).
      await bob.goto(joinUrl.replace(/^https?:\/\/[^/]+/, t.url).slice(0, -30));
      await expectVisible(bob.getByRole('heading', { name: 'This invitation link is not valid' }));
      expect(await bob.locator('body').innerText()).not.toMatch(/params\.token|Too small/);
      await bob.goto(joinUrl.replace(/^https?:\/\/[^/]+/, t.url));
      await expectVisible(bob.getByRole('heading', { name: `Join ${OWNER.workspaceName}` }));
      await bob.getByLabel('Password', { exact: true }).fill('short');
      const rule = bob.getByRole('list', { name: 'Password policy' }).getByRole('listitem').first();
      await expectVisible(rule.getByText('(not met)'));
      await screenshots(bob, 'join-workspace');
      await bob.getByLabel('Password', { exact: true }).fill(BOB.password);
      await expectVisible(rule.getByText('(met)'));
      await bob.getByLabel('Enter Password Again').fill(BOB.password);
      await bob.getByLabel('Name', { exact: true }).fill('Bob');
      await bob.getByLabel('Family Name').fill('Builder');
      await bob.getByRole('button', { name: 'Join workspace' }).click();
      await expectPath(bob, '/app');
      const terms = bob.getByRole('dialog', { name: 'Terms of service agreement' });
      await expectVisible(terms);
      await terms.getByRole('checkbox', { name: /I confirm that I have read/ }).check();
      await terms.getByRole('button', { name: 'Continue' }).click();
      await expectVisible(bob.getByRole('heading', { name: `Welcome, ${BOB.displayName}` }));

      await owner.reload();
      await expectVisible(bobRow().getByText('Active', { exact: true }));
      bobId = (await membersOf(ownerApi)).find((m) => m.email === BOB.email)!.id;
    });

    it('the owner changes Bob’s role to admin; Bob’s next page shows the admin screens', async () => {
      await openBobMenu('Change role');
      const dialog = owner.getByRole('dialog', { name: 'Change role' });
      await dialog.getByLabel('Role').selectOption({ label: 'Admin' });
      await screenshots(owner, 'members-change-role');
      await dialog.getByRole('button', { name: 'Change role' }).click();
      await expectVisible(toast(owner, `${BOB.displayName} is now an admin`));
      await expectVisible(bobRow().getByRole('cell', { name: 'Admin', exact: true }));

      await bob.reload();
      await expectVisible(bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }));
    });

    it('deactivating Bob, the only owner of an account, first asks to whom it goes; then his browser is signed out', async () => {
      // Bob creates an account through the API (MFA on, a trusted device): he is its only owner.
      const bobApi = await signIn(t, BOB.email, BOB.password);
      bobSecret = (await turnOnMfa(bobApi)).secret;
      await trustDevice(bobApi, ownerApi, { name: 'Bob laptop' });
      const created = await bobApi.post('/api/v1/accounts', { ...ACCOUNT, name: 'Bob’s Instagram' });
      expect(created.statusCode, created.body).toBe(201);
      const accountId = created.json().id as string;

      await owner.reload();
      await openBobMenu('Deactivate');
      const dialog = owner.getByRole('dialog', { name: `Deactivate ${BOB.displayName}?` });
      await expectVisible(dialog.getByRole('list', { name: 'Accounts only they own' }).getByText('Bob’s Instagram'));
      const deactivate = dialog.getByRole('button', { name: 'Deactivate' });
      expect(await deactivate.isDisabled()).toBe(true);
      await dialog.getByLabel('Transfer ownership to').selectOption({ label: `${OWNER.displayName} (${OWNER.email})` });
      await screenshots(owner, 'members-deactivate');
      await deactivate.click();
      await expectVisible(toast(owner, `${BOB.displayName} was deactivated`));
      await expectVisible(bobRow().getByText('Deactivated', { exact: true }));

      // The account passed to the owner.
      const owners = await t.database.db
        .selectFrom('grants as g')
        .innerJoin('users as u', 'u.id', 'g.user_id')
        .select('u.email')
        .where('g.account_id', '=', accountId)
        .where('g.role', '=', 'owner')
        .execute();
      expect(owners.map((o) => o.email)).toEqual([OWNER.email]);

      // Bob's open browser: its next request finds the session ended.
      await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      // Back on his workspace's sign-in page, told why, rather than on "Let's find your workspace".
      await expectPath(bob, `/w/${OWNER.slug}/sign-in`);
      await expectVisible(bob.getByRole('alert').filter({ hasText: 'You were signed out' }));
      await bob.getByLabel('Username').fill(BOB.email);
      await bob.getByLabel('Password', { exact: true }).fill(BOB.password);
      await bob.getByRole('button', { name: 'Sign In' }).click();
      await expectVisible(bob.getByRole('alert').filter({ hasText: /username or password/i }));
    });

    it('reactivated, Bob signs in again, with no account back', async () => {
      await openBobMenu('Reactivate');
      const dialog = owner.getByRole('dialog', { name: `Reactivate ${BOB.displayName}?` });
      await dialog.getByRole('button', { name: 'Reactivate' }).click();
      await expectVisible(toast(owner, `${BOB.displayName} can sign in again`));
      await expectVisible(bobRow().getByText('Active', { exact: true }));
      await screenshots(owner, 'members');

      const back = await signIn(t, BOB.email, BOB.password);
      // His MFA still stands; past it, he has no account and no trusted device any more.
      expect((await back.get('/api/v1/auth/session')).json().pending.secondFactor).toBe(true);
      await passSecondFactor(back, bobSecret);
      expect((await back.get('/api/v1/accounts')).json().accounts).toEqual([]);
      expect((await ownerApi.get(`/api/v1/users/${bobId}/devices`)).json().devices).toEqual([]);
    });
  },
);

async function membersOf(client: TestClient): Promise<Array<{ id: string; email: string }>> {
  return (await client.get('/api/v1/members')).json().members;
}
