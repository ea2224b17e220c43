import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { confirmIdentity, passSecondFactor, turnOnMfa, type TurnedOnMfa } from '../helpers/mfa.js';
import { clientAppHeaders, connectClientApp } from '../helpers/vault.js';

/**
 * **Change password** on Security (issue 11): the current password and a fresh identity confirmation;
 * every other session ends, this one stays, and the person is emailed.
 */

const NEW_PASSWORD = 'a completely new owner password';

let t: TestApp;
let owner: TestClient;
let mfa: TurnedOnMfa;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  mfa = await turnOnMfa(owner);
});
afterEach(async () => {
  await t.close();
});

const change = (client: TestClient, body: Record<string, string>) => client.post('/api/v1/auth/password', body);
const valid = { currentPassword: OWNER.password, newPassword: NEW_PASSWORD, newPasswordAgain: NEW_PASSWORD };

async function otherBrowser(): Promise<TestClient> {
  const client = t.client();
  const response = await client.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: OWNER.email,
    password: OWNER.password,
  });
  expect(response.statusCode, response.body).toBe(200);
  await passSecondFactor(client, mfa.secret);
  return client;
}

it('needs a fresh identity confirmation and the right current password', async () => {
  // A browser whose last second factor is more than 5 minutes old (moved back in the database).
  const browser = await otherBrowser();
  const sessions = (await browser.get('/api/v1/sessions')).json().sessions as Array<{ id: string; current: boolean }>;
  await t.database.db
    .updateTable('sessions')
    .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60 * 1000) })
    .where('id', '=', sessions.find((s) => s.current)!.id)
    .execute();
  const unconfirmed = await change(browser, valid);
  expect(unconfirmed.statusCode).toBe(403);
  expect(unconfirmed.json().type).toBe('/api/problems/identity-confirmation-required');

  await confirmIdentity(browser, mfa.secret);
  const wrong = await change(browser, { ...valid, currentPassword: 'not my password at all' });
  expect(wrong.statusCode).toBe(422);
  expect(wrong.json()).toMatchObject({
    type: '/api/problems/current-password-wrong',
    errors: [{ path: 'currentPassword', message: 'This is not your current password.' }],
  });
  const weak = await change(browser, { ...valid, newPassword: 'short', newPasswordAgain: 'shorter' });
  expect(weak.statusCode).toBe(422);
  expect(new Set(weak.json().errors.map((e: { path: string }) => e.path))).toEqual(
    new Set(['newPassword', 'newPasswordAgain']),
  );
  const same = await change(browser, { ...valid, newPassword: OWNER.password, newPasswordAgain: OWNER.password });
  expect(same.json().errors).toContainEqual({
    path: 'newPassword',
    message: 'Choose a password different from your current one.',
  });
  // Nothing changed: the old password still signs in.
  await otherBrowser();
});

it('ends every other session, keeps this one, and emails the person', async () => {
  const other = await otherBrowser();
  const extension = await connectClientApp(owner, owner);
  await confirmIdentity(owner, mfa.secret);
  const changed = await change(owner, valid);
  expect(changed.statusCode, changed.body).toBe(200);
  expect(changed.json()).toEqual({ otherSessionsEnded: 2 }); // the other browser and the extension

  expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
  expect((await other.get('/api/v1/auth/session')).statusCode).toBe(401);
  expect((await owner.get('/api/v1/accounts', clientAppHeaders(extension))).json()).toMatchObject({
    reason: 'signed_out',
  });
  const oldPassword = await t.client().post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: OWNER.email,
    password: OWNER.password,
  });
  expect(oldPassword.statusCode).toBe(401);
  const newPassword = await t.client().post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: OWNER.email,
    password: NEW_PASSWORD,
  });
  expect(newPassword.statusCode).toBe(200);

  const mails = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{
    to: string;
    subject: string;
    text: string;
  }>;
  const told = mails.find((m) => m.subject === 'Your Gatehouse password was changed');
  expect(told?.to).toBe(OWNER.email);
  expect(told?.text).toContain('Every other session of yours was signed out.');
  expect(JSON.stringify(mails)).not.toContain(NEW_PASSWORD);
});
