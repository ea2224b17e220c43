import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { completeFirstSignIn, createPartner, GUEST_PASSWORD, me, parseInvitation } from '../helpers/partners.js';

/**
 * Issue 14: a guest removed from their partner who signs in again was told "Wrong username or password",
 * as if they had mistyped. With their right password they are told that their access ended and whom to
 * ask; a wrong password still gets the answer anyone gets.
 */

let t: TestApp;
let owner: TestClient;
let ownerId: string;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  ownerId = (await me(owner)).user.id;
});
afterEach(async () => {
  await t.close();
});

async function invitationTo(to: string) {
  const messages = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ to: string; text: string }>;
  const mail = messages.find((m) => m.to === to && m.text.includes('Temporary password:'));
  if (!mail) throw new Error(`no invitation to ${to}`);
  return parseInvitation(mail.text);
}

const signInAs = (username: string, password: string) =>
  t.client().post('/api/v1/auth/sign-in', { workspace: 'acme', username, password });

it('a removed guest who signs in with their password is told their access ended and whom to ask', async () => {
  const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  const gail = await completeFirstSignIn(t, await invitationTo('gail@agency.test'));
  const gailId = (await me(gail)).user.id;
  const removed = await owner.request({ method: 'DELETE', url: `/api/v1/partners/${partner.id}/guests/${gailId}` });
  expect(removed.statusCode, removed.body).toBe(204);

  const refused = await signInAs('gail@agency.test', GUEST_PASSWORD);
  expect(refused.statusCode, refused.body).toBe(401);
  expect(refused.json()).toMatchObject({
    type: '/api/problems/guest-access-ended',
    title: 'Guest access ended',
    detail: `Your guest access to Acme Inc has ended: you were removed as a guest of Agency One. Ask ${OWNER.displayName} or another host admin of Acme Inc if you still need access.`,
  });
  expect(refused.headers['set-cookie']).toBeUndefined();

  // Someone without the password learns nothing: the same answer as for anyone.
  const guessed = await signInAs('gail@agency.test', 'not her password at all');
  expect(guessed.statusCode).toBe(401);
  expect(guessed.json().type).toBe('/api/problems/invalid-credentials');

  const failures = await t.database.db
    .selectFrom('activity_events')
    .select('details')
    .where('action', '=', 'auth.sign_in_failed')
    .where('target_id', '=', gailId)
    .execute();
  expect(failures.map((event) => (event.details as { reason: string }).reason)).toEqual([
    'guest_removed',
    'wrong_password',
  ]);
});
