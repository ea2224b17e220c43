import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
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
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me, readInvitation } from '../helpers/partners.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { testClock } from '../helpers/clock.js';

/**
 * Passkeys as people use them (issue 4), in Chromium with its virtual authenticator (a platform
 * authenticator with user verification, driven through the DevTools protocol): the browser side is the
 * real @simplewebauthn/browser code calling navigator.credentials. The app runs at http://localhost:PORT
 * because WebAuthn refuses IP addresses as relying-party ids.
 */

const STORY_TIMEOUT_MS = 120_000;
const GUEST = { email: 'gina@agency.test', password: GUEST_PASSWORD, displayName: 'Gina Guest' };

interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

/**
 * Adds one of Chromium's virtual authenticators to the page's browser: by default a platform
 * authenticator (a laptop's fingerprint reader), with 'usb' a roaming security key.
 */
async function addVirtualAuthenticator(
  page: Page,
  transport: 'internal' | 'usb' = 'internal',
  cdp?: CDPSession,
): Promise<VirtualAuthenticator> {
  const session = cdp ?? (await page.context().newCDPSession(page));
  if (!cdp) await session.send('WebAuthn.enable');
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp: session, authenticatorId };
}

async function credentialsOn(authenticator: VirtualAuthenticator) {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: authenticator.authenticatorId,
  });
  return credentials;
}

const passkeysTable = (page: Page) => page.getByRole('table', { name: 'Passkeys' });
const passkeyRow = (page: Page, name: string) =>
  passkeysTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name, exact: true }) });

describeBrowser('passkeys and security keys', { timeout: STORY_TIMEOUT_MS }, () => {
  let browser: Browser;
  let t: TestApp;
  let owner: TestClient;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await createPublicTestApp({ hostname: 'localhost' });
    owner = await setUpWorkspace(t);
    context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await t?.close();
  });

  it('a guest adds a passkey with a name, signs in with it after the password, renames and removes it', async () => {
    expect(new URL(t.url).hostname).toBe('localhost');
    // A guest of a partner who finished the first sign-in (Change Password, terms) through the API.
    await createPartner(owner, 'Agency Ltd', GUEST.email, [(await me(owner)).user.id]);
    await completeFirstSignIn(t, await readInvitation(owner, GUEST.email), { givenName: 'Gina', familyName: 'Guest' });
    const authenticator = await addVirtualAuthenticator(page);
    await signInThroughUi(page, t.url, OWNER.slug, GUEST);

    await page.goto(`${t.url}/app/security`);
    await expectVisible(page.getByRole('heading', { name: 'Passkeys and security keys' }));
    await expectVisible(page.getByText('You have no passkeys yet.'));
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const addDialog = page.getByRole('dialog', { name: 'Add a passkey' });
    await expectVisible(addDialog);
    // The name is asked for first; an empty one is refused before the browser prompt.
    await addDialog.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(addDialog.getByText('Enter a name for the passkey.'));
    await addDialog.getByLabel('Name').fill('Work laptop');
    await addDialog.getByRole('button', { name: 'Continue' }).click();

    // The first factor turns MFA on: the recovery codes are shown once.
    const codesDialog = page.getByRole('dialog', { name: 'Save your recovery codes' });
    await expectVisible(codesDialog);
    const codes = codesDialog.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    expect(await codes.count()).toBe(10);
    await screenshots(page, 'passkeys-recovery-codes');
    await codesDialog.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await expectHidden(codesDialog);
    await expectVisible(passkeyRow(page, 'Work laptop'));
    await expectVisible(passkeyRow(page, 'Work laptop').getByRole('cell', { name: 'Never' }));

    const [credential, ...others] = await credentialsOn(authenticator);
    expect(others).toEqual([]);
    expect(credential).toMatchObject({ rpId: 'localhost', isResidentCredential: true });
    const stored = await t.database.db
      .selectFrom('mfa_factors')
      .select(['name', 'credential_id'])
      .where('kind', '=', 'passkey')
      .execute();
    expect(stored).toEqual([
      { name: 'Work laptop', credential_id: Buffer.from(credential!.credentialId, 'base64').toString('base64url') },
    ]);

    // Signing in again: the password, then the verification page, where the passkey finishes it.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expectPath(page, `/w/${OWNER.slug}/sign-in`);
    await page.getByLabel('Username').fill(GUEST.email);
    await page.getByLabel('Password', { exact: true }).fill(GUEST.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await expectVisible(usePasskey);
    await screenshots(page, 'passkeys-verification-page');
    await usePasskey.click();
    await expectVisible(page.getByRole('heading', { name: `Welcome, ${GUEST.displayName}` }));
    expect((await credentialsOn(authenticator))[0]!.signCount).toBeGreaterThan(credential!.signCount);

    // Rename.
    await page.goto(`${t.url}/app/security`);
    await expectHidden(passkeyRow(page, 'Work laptop').getByRole('cell', { name: 'Never' }));
    await passkeyRow(page, 'Work laptop').getByRole('button', { name: 'Rename' }).click();
    const renameDialog = page.getByRole('dialog', { name: 'Rename passkey' });
    await renameDialog.getByLabel('Name').fill('Old laptop');
    await renameDialog.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, 'Passkey renamed to "Old laptop"'));
    await expectVisible(passkeyRow(page, 'Old laptop'));
    await expectHidden(passkeyRow(page, 'Work laptop'));

    // Remove (the passkey used at sign-in a moment ago is the identity confirmation).
    await passkeyRow(page, 'Old laptop').getByRole('button', { name: 'Remove' }).click();
    const removeDialog = page.getByRole('dialog', { name: 'Remove passkey?' });
    await removeDialog.getByRole('button', { name: 'Remove' }).click();
    await expectVisible(toast(page, 'Passkey "Old laptop" removed'));
    await expectVisible(page.getByText('You have no passkeys yet.'));
    const remaining = await t.database.db.selectFrom('mfa_factors').select('id').execute();
    expect(remaining).toEqual([]);
    expect(await t.database.db.selectFrom('recovery_codes').select('id').execute()).toEqual([]);
  });

  it('refuses the same authenticator twice, adds a security key, and asks for identity confirmation to remove it', async () => {
    const laptop = await addVirtualAuthenticator(page);
    await signInThroughUi(page, t.url, OWNER.slug, OWNER);
    await page.goto(`${t.url}/app/security`);
    const addDialog = page.getByRole('dialog', { name: 'Add a passkey' });
    const add = async (name: string) => {
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await addDialog.getByLabel('Name').fill(name);
      await addDialog.getByRole('button', { name: 'Continue' }).click();
    };
    await add('Laptop');
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await expectVisible(passkeyRow(page, 'Laptop'));

    // The laptop already holds a passkey for this account (the server lists it in excludeCredentials).
    await add('Laptop again');
    await expectVisible(addDialog.getByRole('alert').filter({ hasText: 'already registered' }));
    await addDialog.getByRole('button', { name: 'Cancel' }).click();
    await expectHidden(addDialog);

    // A USB security key; the laptop's reader stays silent, as if nobody touched it.
    await addVirtualAuthenticator(page, 'usb', laptop.cdp);
    await laptop.cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
      authenticatorId: laptop.authenticatorId,
      enabled: false,
    });
    await add('Security key');
    await expectVisible(passkeyRow(page, 'Security key'));
    await expectHidden(page.getByRole('dialog', { name: 'Save your recovery codes' }));

    await t.database.db
      .updateTable('sessions')
      .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60 * 1000) })
      .execute();
    await page.reload();
    await passkeyRow(page, 'Security key').getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove passkey?' }).getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm your identity' });
    await expectVisible(confirm);
    await screenshots(page, 'passkeys-confirm-identity');
    await confirm.getByRole('button', { name: 'Use a passkey' }).click();
    await expectVisible(toast(page, 'Passkey "Security key" removed'));
    await expectHidden(passkeyRow(page, 'Security key'));
    await expectVisible(passkeyRow(page, 'Laptop'));
    const actions = await t.database.db.selectFrom('activity_events').select('action').orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.identity_confirmed', 'mfa.passkey_removed']),
    );
  });
});
