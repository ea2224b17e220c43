import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { clearDiscoveryCache } from '../../src/services/oidc.js';
import { createWorkspace, prepareOwnerPassword, type CreateWorkspaceInput } from '../../src/services/workspaces.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  describeBrowser,
  expectHidden,
  expectInputValue,
  expectPath,
  expectVisible,
  launchBrowser,
  screenshots,
} from '../helpers/browser.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import {
  completeFirstSignIn,
  createPartner,
  readInvitation,
  signIn,
  type ReceivedInvitation,
} from '../helpers/partners.js';

const OWNER = { email: 'ada@acme.test', displayName: 'Ada Owner', password: 'correct horse battery staple' };
const GUEST_BUTTON = 'Log in as a guest user';
const COUNTDOWN = /Redirecting to your company's sign-in in \d+ seconds?…/;

/** A port nobody listens on right now, so the app's public URL (and redirect_uri) can name it up front. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Creates workspace "acme" through the same use case as the command line; returns the owner's id. */
async function createAcme(t: TestApp, extra: Partial<CreateWorkspaceInput>): Promise<string> {
  const input: CreateWorkspaceInput = { slug: 'acme', name: 'Acme Inc', owner: OWNER, ...extra };
  const passwordHash = await prepareOwnerPassword(input);
  const created = await t.app.unitOfWork.run((tx) =>
    createWorkspace(tx, input, passwordHash, { ip: null, userAgent: 'test' }),
  );
  return created.owner.id;
}

describeBrowser('the authentication waiting page in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let t: TestApp;
  let idp: TestOidcProvider;
  let baseUrl: string;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    // The app's public URL must be the address the browser uses: it is the redirect_uri the IdP checks.
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({ redirectUris: [`${baseUrl}/api/v1/oidc/callback`] });
    t = await createTestApp({ env: { GATEHOUSE_PUBLIC_URL: baseUrl } });
    await t.app.listen({ port, host: '127.0.0.1' });
    context = await browser.newContext();
    // The page's timers run on a clock the tests move forward, so a countdown that must not fire is
    // checked without waiting for it in real time.
    await context.clock.install();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    await t?.close();
    await idp?.close();
    clearDiscoveryCache();
  });

  const idpWorkspace = (redirectSeconds: number) =>
    createAcme(t, { mode: 'idp', idp: { issuer: idp.issuer, clientId: idp.clientId, redirectSeconds } });

  it('counts down, then sends a member to the company identity provider', async () => {
    await idpWorkspace(2);
    await page.goto(`${baseUrl}/w/acme`);
    await expectVisible(page.getByRole('heading', { name: 'Acme Inc' }));
    const countdown = page.getByText(COUNTDOWN);
    await expectVisible(countdown);
    expect(await countdown.getAttribute('aria-live')).toBe('polite');
    expect(await countdown.textContent()).toMatch(/in [12] seconds?…/);
    await screenshots(page, 'idp-waiting-countdown');

    // The real provider accepted our authorization request and shows its own sign-in page.
    await page.clock.runFor(2_000);
    await page.waitForURL((url) => url.origin === idp.issuer, { timeout: 10_000, waitUntil: 'commit' });
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await expectVisible(page.getByRole('button', { name: 'Sign-in' }));
  });

  it('stops the countdown for a guest and opens the Gatehouse sign-in page, for good', async () => {
    await idpWorkspace(2);
    await page.goto(`${baseUrl}/w/acme`);
    await expectVisible(page.getByText(COUNTDOWN));
    await page.getByRole('button', { name: GUEST_BUTTON }).click();

    await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
    await expectVisible(page.getByLabel('Username'));
    await expectVisible(page.getByLabel('Password', { exact: true }));
    await page.clock.runFor(3_000);
    expect(new URL(page.url()).origin).toBe(baseUrl);
    await expectPath(page, '/w/acme/sign-in');
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
  });

  it('tells the person clearly when the identity provider is down, and keeps the guest way open', async () => {
    await idpWorkspace(1);
    await idp.close();
    await page.goto(`${baseUrl}/w/acme`);

    await expectPath(page, /^\/w\/acme\?idp=unavailable$/);
    await expectVisible(page.getByText("Your company's sign-in is not reachable"));
    await expectVisible(page.getByText(/identity provider did not answer/));
    await expectHidden(page.getByText(COUNTDOWN));
    await expectVisible(page.getByRole('button', { name: 'Try again' }));
    await screenshots(page, 'idp-waiting-unavailable');

    await page.getByRole('button', { name: GUEST_BUTTON }).click();
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
  });

  it('explains in the sign-in page that single sign-on is unavailable, and on /login that an attempt expired', async () => {
    await idpWorkspace(5);
    await page.goto(`${baseUrl}/w/acme/sign-in?sso=unavailable`);
    await expectVisible(page.getByText('Single sign-on is not available'));
    await page.goto(`${baseUrl}/login?sso=expired`);
    await expectVisible(page.getByText('That sign-in attempt expired. Try again.'));
  });

  it('goes straight to the sign-in page in local mode', async () => {
    await createAcme(t, { mode: 'local' });
    await page.goto(`${baseUrl}/w/acme`);
    await expectPath(page, '/w/acme/sign-in');
    await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
  });

  describe('opened from an invitation link', () => {
    it('never counts down; an unknown or malformed link says so and still leads to sign-in', async () => {
      await idpWorkspace(1);
      await page.goto(`${baseUrl}/w/acme?invitation=${'x'.repeat(43)}`);
      await expectVisible(page.getByRole('heading', { name: 'This invitation link does not work' }));
      await expectVisible(page.getByRole('alert').filter({ hasText: /not valid/ }));
      // The advice is given once, not twice in other words (issue 14).
      expect(await page.getByText(/\bnewe(r|st)\b/).count()).toBe(1);
      await expectHidden(page.getByText(COUNTDOWN));
      await page.clock.runFor(2_000);
      expect(new URL(page.url()).origin).toBe(baseUrl);
      await page.getByRole('link', { name: GUEST_BUTTON }).click();
      await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));

      await page.goto(`${baseUrl}/w/acme?invitation=short`);
      await expectVisible(page.getByRole('heading', { name: 'This invitation link does not work' }));
      await expectVisible(page.getByRole('link', { name: GUEST_BUTTON }));
    });

    /** A real invitation: the owner adds a partner, whose guest admin is invited by (development) mail. */
    async function invite(): Promise<{
      joinUrl: string;
      invitationId: string;
      received: ReceivedInvitation;
      owner: TestClient;
    }> {
      const ownerId = await idpWorkspace(1);
      const owner = await signIn(t, OWNER.email, OWNER.password);
      // The owner's password sign-in is the break-glass of an idp workspace: MFA before anything else.
      await turnOnMfa(owner);
      const partner = await createPartner(owner, 'Agency Ltd', 'gail@agency.test', [ownerId]);
      const invitationId = partner.members.find((m) => m.email === 'gail@agency.test')!.invitation!.id;
      const received = await readInvitation(owner, 'gail@agency.test');
      expect(received.joinUrl.startsWith(`${baseUrl}/w/acme?invitation=`)).toBe(true);
      return { joinUrl: received.joinUrl, invitationId, received, owner };
    }

    it('pending: says who invited them, stops no countdown because none starts, and fills in the username', async () => {
      const { joinUrl, received } = await invite();
      await page.goto(joinUrl);
      await expectVisible(page.getByRole('heading', { name: "You're invited to Acme Inc" }));
      await expectVisible(page.getByText(/invited as a guest of Agency Ltd by Ada Owner/));
      await expectVisible(page.getByText(/temporary password from the invitation email/));
      await expectHidden(page.getByText(COUNTDOWN));
      await screenshots(page, 'idp-waiting-invitation');
      await page.clock.runFor(2_000);
      expect(new URL(page.url()).origin).toBe(baseUrl);

      await page.getByRole('link', { name: GUEST_BUTTON }).click();
      await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
      await expectInputValue(page.getByLabel('Username'), received.username);
    });

    it('expired: says when, and who can resend it', async () => {
      const { joinUrl, invitationId } = await invite();
      await t.database.db
        .updateTable('invitations')
        .set({ expires_at: new Date('2026-03-03T14:15:00Z') })
        .where('id', '=', invitationId)
        .execute();
      await page.goto(joinUrl);
      await expectVisible(page.getByText(/^This invitation expired on .*2026/));
      await expectVisible(page.getByText('Ask Ada Owner or another host admin of Agency Ltd to resend it.'));
      await expectHidden(page.getByText(COUNTDOWN));
      await expectVisible(page.getByRole('link', { name: 'Go to sign-in' }));
    });

    it('revoked: says so and points to sign-in', async () => {
      const { joinUrl, invitationId, owner } = await invite();
      const revoked = await owner.post(`/api/v1/invitations/${invitationId}/revoke`);
      expect(revoked.statusCode, revoked.body).toBe(204);
      await page.goto(joinUrl);
      await expectVisible(page.getByText('This invitation was revoked.'));
      await page.getByRole('link', { name: 'Go to sign-in' }).click();
      await expectVisible(page.getByRole('heading', { name: 'Sign in to Acme Inc' }));
    });

    it('accepted: says it was used and to sign in with the chosen password', async () => {
      const { joinUrl, received } = await invite();
      await completeFirstSignIn(t, received);
      await page.goto(joinUrl);
      await expectVisible(page.getByText('This invitation has already been used.'));
      await expectVisible(page.getByText('Sign in with the password you chose.'));
      await expectVisible(page.getByRole('link', { name: 'Go to sign-in' }));
    });
  });
});
