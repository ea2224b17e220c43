import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import {
  BROWSER_TEST_TIMEOUT_MS,
  describeBrowser,
  DESKTOP,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  signInThroughUi,
  toast,
} from '../helpers/browser.js';
import { addIdpMember } from '../helpers/idp-member.js';
import { createPublicTestApp } from '../helpers/public-app.js';
import { MULTI_FACTOR, startSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.js';

const COUNTDOWN = /Redirecting to your company's sign-in in \d+ seconds?…/;

describeBrowser(
  'members sign in through a SAML 2.0 identity provider, in a real browser',
  { timeout: BROWSER_TEST_TIMEOUT_MS },
  () => {
    let browser: Browser;
    let t: TestApp;
    let idp: TestSamlIdp;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    beforeEach(async () => {
      t = await createPublicTestApp();
      const owner = await setUpWorkspace(t);
      const patched = await owner.request({
        method: 'PATCH',
        url: '/api/v1/workspace/settings',
        payload: { verifiedDomains: ['acme.test'] },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      idp = await startSamlIdp({
        spMetadataUrl: `${t.url}/api/v1/saml/${OWNER.slug}/metadata`,
        people: {
          'carol@acme.test': { name: 'Carol Member', nameId: 'carol-pid', authnContext: MULTI_FACTOR },
          'dan@acme.test': { name: 'Dan Unknown', nameId: 'dan-pid' },
        },
      });
      // Carol is a member who already accepted the terms, so signing in lands on the dashboard.
      const workspace = await t.app.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow();
      await addIdpMember(t.app.unitOfWork, workspace.id, { email: 'carol@acme.test', displayName: 'Carol Member' });
    });
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close();
      await t?.close();
      await idp?.close();
    });

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
      contexts.push(context);
      return context.newPage();
    }

    /** The identity provider's own sign-in page, filled in and submitted; it posts back to Gatehouse. */
    async function signInAtIdp(page: Page, email: string): Promise<void> {
      await expectVisible(page.getByRole('heading', { name: 'Acme corporate sign-in' }));
      expect(page.url().startsWith(idp.ssoUrl)).toBe(true);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    /** The owner sets SAML up on Workspace settings and switches members to it. */
    async function ownerSetsUpSaml(page: Page): Promise<void> {
      await signInThroughUi(page, t.url, OWNER.slug, OWNER);
      await page.goto(`${t.url}/app/settings/workspace`);
      const section = page.getByRole('region', { name: 'Single sign-on' });
      await section.getByRole('radio', { name: 'SAML 2.0' }).check();
      const metadataUrl = `${t.url}/api/v1/saml/${OWNER.slug}/metadata`;
      await expectInputValue(section.getByRole('textbox', { name: 'Metadata URL' }), metadataUrl);
      await expectInputValue(section.getByRole('textbox', { name: 'Entity ID (audience)' }), metadataUrl);
      await expectInputValue(
        section.getByRole('textbox', { name: 'Assertion consumer service URL' }),
        `${t.url}/api/v1/saml/${OWNER.slug}/acs`,
      );
      const metadata = section.getByRole('textbox', { name: 'Identity provider metadata (XML)' });

      // Something that is not metadata is refused under the field, in words.
      await metadata.fill('<not-metadata/>');
      await section.getByRole('button', { name: 'Save single sign-on' }).click();
      await expectVisible(
        section.getByText('The metadata must describe exactly one identity provider', { exact: false }),
      );

      await metadata.fill(idp.metadata);
      await section.getByRole('button', { name: 'Test connection' }).click();
      await expectVisible(section.getByRole('status').filter({ hasText: 'Metadata works' }));
      await expectVisible(section.getByText(`Metadata read: identity provider ${idp.entityId}`, { exact: false }));
      const values = section.getByLabel('Second factor values', { exact: true });
      await values.fill(MULTI_FACTOR);
      await values.press('Enter');
      await section.getByRole('switch', { name: 'Just-in-time provisioning' }).check({ force: true });
      await section.getByRole('button', { name: 'Save single sign-on' }).click();
      await expectVisible(toast(page, 'Single sign-on settings saved.'));
      await expectInputValue(metadata, '');
      const inUse = section.getByLabel('Identity provider in use');
      await expectVisible(inUse.getByText(`Entity ID: ${idp.entityId}`));
      await expectVisible(inUse.getByText('Signing certificate valid until', { exact: false }));
      await section.getByRole('radio', { name: 'SAML 2.0' }).scrollIntoViewIfNeeded();
      await screenshots(page, 'workspace-settings-single-sign-on-saml');

      await section.getByRole('button', { name: 'Switch members to the identity provider' }).click();
      const dialog = page.getByRole('dialog', { name: 'Members sign in through the identity provider?' });
      await expectVisible(dialog.getByText('their Gatehouse passwords stop working', { exact: false }));
      await dialog.getByRole('button', { name: 'Switch to the identity provider' }).click();
      await expectVisible(toast(page, 'Members now sign in through your identity provider.'));
      // The owner's own password session now needs MFA (break-glass), so the check reads the database.
      const saved = await t.app.db
        .selectFrom('workspaces')
        .select(['mode', 'idp_protocol', 'idp_mfa_values', 'idp_jit'])
        .executeTakeFirstOrThrow();
      expect(saved).toEqual({ mode: 'idp', idp_protocol: 'saml', idp_mfa_values: [MULTI_FACTOR], idp_jit: true });
    }

    it('an admin sets SAML up in Single sign-on; a member goes waiting page → IdP → back in Gatehouse, signed in', async () => {
      await ownerSetsUpSaml(await newPage());

      const page = await newPage();
      await page.goto(`${t.url}/w/${OWNER.slug}`);
      await expectVisible(page.getByText(COUNTDOWN));
      await signInAtIdp(page, 'carol@acme.test');
      await expectPath(page, '/app');
      await expectVisible(page.getByRole('heading', { name: 'Welcome, Carol Member' }));
      const session = await (await page.request.get(`${t.url}/api/v1/auth/session`)).json();
      expect(session.user.email).toBe('carol@acme.test');
      // The IdP asserted MultiFactor, which the workspace named: no Gatehouse MFA asked on top.
      expect(session.assurance.mfaRequired).toBe(false);
      expect(idp.requests).toHaveLength(1);
    });

    it('refuses someone the workspace does not know (JIT off), says so in words, and Try again starts at the IdP', async () => {
      await ownerSetsUpSaml(await newPage());
      await t.app.db.updateTable('workspaces').set({ idp_jit: false }).execute();

      const page = await newPage();
      await page.goto(`${t.url}/w/${OWNER.slug}`);
      await signInAtIdp(page, 'dan@acme.test');
      await expectPath(page, `/w/${OWNER.slug}/sign-in`);
      const alert = page.getByRole('alert').filter({ hasText: 'You do not have an account here yet' });
      await expectVisible(alert);
      expect((await page.request.get(`${t.url}/api/v1/auth/session`)).status()).toBe(401);
      await screenshots(page, 'saml-sign-in-refused');

      await alert.getByRole('link', { name: 'Try again' }).click();
      await expectVisible(page.getByRole('heading', { name: 'Acme corporate sign-in' }));
      await expectHidden(page.getByRole('alert'));
      expect(idp.requests).toHaveLength(2);
    });
  },
);
