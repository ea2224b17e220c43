import { expect } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { setUpWorkspace, type TestApp } from './app.js';
import { DESKTOP } from './browser.js';
import type { TestClient } from './client.js';
import { turnOnMfa } from './mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from './partners.js';

/** The people of a partner story, each signed in through the API with MFA on. */
export interface AgencyOne {
  /** The workspace's owner (MFA off). */
  owner: TestClient;
  /** hugo Member, host admin of Agency One (and of every other partner), terms accepted. */
  hugo: TestClient;
  /** hugo's TOTP secret, to confirm his identity before sharing. */
  hugoSecret: string;
  /** Gail Guest, Agency One's guest admin. */
  gail: TestClient;
  gailSecret: string;
  /** Gus User, Agency One's guest user, invited by Gail. */
  gus: TestClient;
  agencyOneId: string;
}

/**
 * The workspace of the partner stories (access review, Activity): a member, hugo, is host admin of the
 * partner Agency One, whose guest admin Gail invited the guest user Gus; each went through their first
 * sign-in and turned on MFA. `otherPartners` (name and guest admin's email) are created right after
 * Agency One, with hugo as their host admin too; their guest admins are invited, nothing more.
 */
export async function setUpAgencyOne(
  t: TestApp,
  options: { otherPartners?: Array<{ name: string; guestAdminEmail: string }> } = {},
): Promise<AgencyOne> {
  const owner = await setUpWorkspace(t);
  await addMember(owner, 'hugo@acme.test');
  const hugo = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
  expect((await hugo.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  const hugoSecret = (await turnOnMfa(hugo)).secret;
  const hugoId = (await me(hugo)).user.id;
  const agencyOneId = (await createPartner(owner, 'Agency One', 'gail@agency.test', [hugoId])).id;
  for (const partner of options.otherPartners ?? []) {
    await createPartner(owner, partner.name, partner.guestAdminEmail, [hugoId]);
  }
  const gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'), {
    givenName: 'Gail',
    familyName: 'Guest',
  });
  const gailSecret = (await turnOnMfa(gail)).secret;
  expect((await gail.post(`/api/v1/partners/${agencyOneId}/guests`, { email: 'gus@agency.test' })).statusCode).toBe(
    201,
  );
  const gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
    givenName: 'Gus',
    familyName: 'User',
  });
  await turnOnMfa(gus);
  return { owner, hugo, hugoSecret, gail, gailSecret, gus, agencyOneId };
}

/**
 * A desktop page (en-US, UTC) at `path` in a browser context of its own that holds `client`'s session:
 * the person signed in through the API, second factor and all. The context goes into `contexts`, for the
 * story to close.
 */
export async function pageSignedInAs(
  browser: Browser,
  t: TestApp,
  client: TestClient,
  path: string,
  contexts: BrowserContext[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC', ...options });
  contexts.push(context);
  await context.addCookies([{ name: 'gatehouse_session', value: client.cookie('gatehouse_session')!, url: t.url }]);
  const page = await context.newPage();
  await page.goto(`${t.url}${path}`);
  return page;
}
