import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { setIdpClientSecret } from '../../src/services/oidc-sign-in.js';
import { createWorkspace, prepareOwnerPassword, type CreateWorkspaceInput } from '../../src/services/workspaces.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  describeBrowser,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
  toast,
} from '../helpers/browser.js';
import { addIdpMember } from '../helpers/idp-member.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';

const OWNER = { email: 'ada@acme.test', displayName: 'Ada Owner', password: 'correct horse battery staple' };
const COUNTDOWN = /Redirecting to your company's sign-in in \d+ seconds?…/;

/** A port nobody listens on right now, so the app's public URL (and redirect_uri) can name it up front. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeBrowser('members sign in through the company identity provider, in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let t: TestApp;
  let idp: TestOidcProvider;
  let baseUrl: string;
  let workspaceId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      redirectUris: [`${baseUrl}/api/v1/oidc/callback`],
      users: {
        'carol-sub': { email: 'carol@acme.test', email_verified: true, name: 'Carol Member', amr: ['pwd', 'otp'] },
        'dan-sub': { email: 'dan@acme.test', email_verified: true, name: 'Dan Unknown' },
        'erin-sub': { email: 'erin@acme.test', email_verified: false, name: 'Erin Unverified' },
      },
    });
    t = await createTestApp({ env: { GATEHOUSE_PUBLIC_URL: baseUrl } });
    await t.app.listen({ port, host: '127.0.0.1' });
    const input: CreateWorkspaceInput = {
      slug: 'acme',
      name: 'Acme Inc',
      owner: OWNER,
      mode: 'idp',
      domains: ['acme.test'],
      idp: { issuer: idp.issuer, clientId: idp.clientId, redirectSeconds: 2 },
    };
    const passwordHash = await prepareOwnerPassword(input);
    const created = await t.app.unitOfWork.run((tx) =>
      createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'test' }),
    );
    workspaceId = created.workspace.id;
    await t.app.unitOfWork.run((tx) => setIdpClientSecret(tx, t.app.keyring, workspaceId, idp.clientSecret));
    // Carol is a member who already accepted the terms, so signing in lands on the dashboard.
    await addIdpMember(t.app.unitOfWork, workspaceId, { email: 'carol@acme.test', displayName: 'Carol Member' });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await t?.close();
    await idp?.close();
    clearDiscoveryCache();
  });

  /** The provider's own login page (oidc-provider's), filled in and submitted. */
  async function signInAtProvider(login: string): Promise<void> {
    await expectVisible(page.getByRole('button', { name: 'Sign-in' }));
    expect(new URL(page.url()).origin).toBe(idp.issuer);
    await page.getByPlaceholder('Enter any login').fill(login);
    await page.getByPlaceholder('and password').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }

  it('waiting page → countdown → provider login → back in Gatehouse, signed in as the linked member', async () => {
    await page.goto(`${baseUrl}/w/acme`);
    await expectVisible(page.getByText(COUNTDOWN));
    await signInAtProvider('carol-sub');
    await expectPath(page, '/app');
    await expectVisible(page.getByRole('heading', { name: 'Welcome, Carol Member' }));
    const session = await page.request.get(`${baseUrl}/api/v1/auth/session`);
    expect((await session.json()).user.email).toBe('carol@acme.test');
  });

  it('refuses someone the workspace does not know, says so in words, and offers to try again', async () => {
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('dan-sub');
    await expectPath(page, '/w/acme/sign-in');
    const alert = page.getByRole('alert').filter({ hasText: 'You do not have an account here yet' });
    await expectVisible(alert);
    await expectVisible(alert.getByText('Ask an admin of Acme Inc to invite you.', { exact: false }));
    expect((await page.request.get(`${baseUrl}/api/v1/auth/session`)).status()).toBe(401);
    await screenshots(page, 'oidc-sign-in-refused');

    // Try again goes back to the provider (which still knows Dan: no login page this time, straight
    // back with the same answer, as a real IdP with a session does).
    await page.getByRole('link', { name: 'Try again' }).click();
    await expectPath(page, '/w/acme/sign-in');
    await expectVisible(page.getByRole('alert').filter({ hasText: 'You do not have an account here yet' }));
  });

  /** The refusal on the workspace's sign-in page: its title, no session, and a screenshot of it. */
  async function expectRefusal(title: string, shot: string): Promise<void> {
    await expectPath(page, '/w/acme/sign-in');
    const alert = page.getByRole('alert').filter({ hasText: title });
    await expectVisible(alert);
    await expectVisible(alert.getByRole('link', { name: 'Try again' }));
    expect((await page.request.get(`${baseUrl}/api/v1/auth/session`)).status()).toBe(401);
    await screenshots(page, shot);
  }

  it('creates a member just in time the first time they sign in, who then meets the terms', async () => {
    await t.app.db.updateTable('workspaces').set({ idp_jit: true }).execute();
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('dan-sub');
    await expectVisible(page.getByRole('dialog', { name: 'Terms of service agreement' }));
    const session = await (await page.request.get(`${baseUrl}/api/v1/auth/session`)).json();
    expect(session.user.email).toBe('dan@acme.test');
    const dan = await t.app.db
      .selectFrom('users')
      .select(['display_name', 'kind', 'role'])
      .where('email', '=', 'dan@acme.test')
      .executeTakeFirstOrThrow();
    expect(dan).toEqual({ display_name: 'Dan Unknown', kind: 'member', role: 'member' });
  });

  it('refuses a deactivated member with a clear page', async () => {
    await t.app.db.updateTable('users').set({ status: 'deactivated' }).where('email', '=', 'carol@acme.test').execute();
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('carol-sub');
    await expectRefusal('Your account is deactivated', 'oidc-sign-in-deactivated');
  });

  it('does not link a member by an email the provider has not verified', async () => {
    await t.app.db
      .insertInto('users')
      .values({
        workspace_id: workspaceId,
        email: 'erin@acme.test',
        username: 'erin@acme.test',
        display_name: 'Erin Member',
        kind: 'member',
        role: 'member',
        status: 'active',
        password_hash: null,
        updated_at: new Date(),
      })
      .execute();
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('erin-sub');
    await expectRefusal('Your email address is not verified', 'oidc-sign-in-email-unverified');
    expect(await t.app.db.selectFrom('user_identities').select('id').execute()).toHaveLength(0);
  });

  it('refuses a tampered ID token and one for another client, each with a clear page', async () => {
    idp.tamperIdToken = (claims) => ({ claims: { ...claims, sub: 'dan-sub' }, resign: false });
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('carol-sub');
    await expectRefusal('The sign-in could not be verified', 'oidc-sign-in-invalid-token');

    idp.tamperIdToken = (claims) => ({ claims: { ...claims, aud: 'another-client' }, resign: true });
    await page.getByRole('link', { name: 'Try again' }).click();
    await expectPath(page, '/w/acme/sign-in');
    await expectVisible(page.getByRole('alert').filter({ hasText: 'The sign-in could not be verified' }));
    expect((await page.request.get(`${baseUrl}/api/v1/auth/session`)).status()).toBe(401);
  });

  it('refuses a replayed callback in another browser: the attempt is spent, nobody is signed in', async () => {
    const callbacks: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${baseUrl}/api/v1/oidc/callback`)) callbacks.push(request.url());
    });
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('carol-sub');
    await expectVisible(page.getByRole('heading', { name: 'Welcome, Carol Member' }));
    expect(callbacks).toHaveLength(1);

    const other = await browser.newContext();
    try {
      const replay = await other.newPage();
      await replay.goto(callbacks[0]!);
      await expectPath(replay, '/login');
      await expectVisible(replay.getByText('That sign-in attempt expired. Try again.'));
      expect((await replay.request.get(`${baseUrl}/api/v1/auth/session`)).status()).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('an admin fills the Single sign-on section: Test connection finds the provider, Save keeps the secret write-only', async () => {
    await t.app.db.updateTable('users').set({ role: 'admin' }).where('email', '=', 'carol@acme.test').execute();
    await page.goto(`${baseUrl}/w/acme`);
    await signInAtProvider('carol-sub');
    await expectPath(page, '/app');
    await page.goto(`${baseUrl}/app/settings/workspace`);
    const section = page.getByRole('region', { name: 'Single sign-on' });
    await expectVisible(section.getByText('through the identity provider'));
    await expectInputValue(section.getByRole('textbox', { name: 'Redirect URI' }), `${baseUrl}/api/v1/oidc/callback`);
    await section.getByRole('textbox', { name: 'Issuer URL' }).fill(idp.issuer);
    await section.getByRole('textbox', { name: 'Client ID' }).fill(idp.clientId);
    await section.getByLabel('Client secret', { exact: true }).fill(idp.clientSecret);
    await section.getByRole('switch', { name: 'Just-in-time provisioning' }).check({ force: true });
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expectVisible(section.getByRole('status').filter({ hasText: 'Connection works' }));
    await expectVisible(section.getByText(`Connected to ${idp.issuer}: discovery document found`, { exact: false }));
    await section.getByRole('button', { name: 'Save single sign-on' }).click();
    await expectVisible(toast(page, 'Single sign-on settings saved.'));
    await expectVisible(section.getByText('Set. Gatehouse never shows it', { exact: false }));
    await expectInputValue(section.getByLabel('Client secret', { exact: true }), '');
    const saved = await (await page.request.get(`${baseUrl}/api/v1/workspace/sso`)).json();
    expect(saved).toMatchObject({ jitProvisioning: true, clientSecretSet: true });
    expect(JSON.stringify(saved)).not.toContain(idp.clientSecret);
    await section.getByRole('heading', { name: 'Single sign-on' }).scrollIntoViewIfNeeded();
    await screenshots(page, 'workspace-settings-single-sign-on');

    // private_key_jwt: Gatehouse makes a signing key and shows the JWKS URL to register at the provider.
    await section.getByRole('combobox', { name: 'Client authentication' }).click();
    await page.getByRole('option', { name: /private_key_jwt/ }).click();
    await section.getByRole('button', { name: 'Save single sign-on' }).click();
    await expectInputValue(section.getByRole('textbox', { name: 'JWKS URL' }), `${baseUrl}/api/v1/oidc/acme/jwks`);
    await expectVisible(section.getByRole('button', { name: 'Copy the JWKS URL' }));
    await expectVisible(section.getByRole('button', { name: 'Rotate key' }));
    await section.getByRole('button', { name: 'Rotate key' }).click();
    await expectVisible(toast(page, 'New signing key published at the JWKS URL.'));
    await expectVisible(section.getByRole('status').filter({ hasText: 'Gatehouse signs with it from' }));
    const jwks = await (await page.request.get(`${baseUrl}/api/v1/oidc/acme/jwks`)).json();
    expect(jwks.keys).toHaveLength(2);
    await section.getByRole('textbox', { name: 'JWKS URL' }).scrollIntoViewIfNeeded();
    await screenshots(page, 'workspace-settings-single-sign-on-private-key-jwt');
  });
});
