import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import { completeFirstSignIn, createPartner, me, parseInvitation, signIn } from '../helpers/partners.js';
import { trustDevice } from '../helpers/vault.js';

/**
 * Issue 11's fixes on the way: a removed guest who is invited again starts over as a new guest (no old
 * factor, recovery code or trusted device), and a temporary password alone cannot set the permanent one
 * while a second factor is owed.
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

const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });

/** The newest invitation mailed to `to` (other mail to the same person, such as device codes, skipped). */
async function newestInvitation(to: string) {
  const messages = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{ to: string; text: string }>;
  const mail = messages.find((m) => m.to === to && m.text.includes('Temporary password:'));
  if (!mail) throw new Error(`no invitation to ${to}`);
  return parseInvitation(mail.text);
}

it('a removed guest invited again starts with no factors, recovery codes or devices of before', async () => {
  const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  const gail = await completeFirstSignIn(t, await newestInvitation('gail@agency.test'));
  const gailId = (await me(gail)).user.id;
  await turnOnMfa(gail);
  await trustDevice(gail, owner, { name: 'Gail laptop' });

  expect((await del(owner, `/api/v1/partners/${partner.id}/guests/${gailId}`)).statusCode).toBe(204);
  const again = await owner.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gail@agency.test' });
  expect(again.statusCode, again.body).toBe(201);

  // Whoever signs in with the new temporary password is asked for no old factor…
  const back = await signIn(t, 'gail@agency.test', (await newestInvitation('gail@agency.test')).temporaryPassword);
  const session = (await back.get('/api/v1/auth/session')).json();
  expect(session.pending).toMatchObject({ secondFactor: false, passwordChange: true });
  expect(session.assurance.mfaEnabled).toBe(false);
  // …and no device of before is live: the old browser is no trusted device any more.
  const { db } = t.database;
  expect(await db.selectFrom('mfa_factors').select('id').where('user_id', '=', gailId).execute()).toEqual([]);
  expect(await db.selectFrom('recovery_codes').select('id').where('user_id', '=', gailId).execute()).toEqual([]);
  const devices = await db.selectFrom('devices').select('status').where('user_id', '=', gailId).execute();
  expect(devices.map((d) => d.status)).toEqual(['removed']);
});

it('Change Password is refused until the second factor is passed, when the person has one', async () => {
  await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  const gail = await completeFirstSignIn(t, await newestInvitation('gail@agency.test'));
  const gailId = (await me(gail)).user.id;
  const { secret } = await turnOnMfa(gail);
  // A host admin's password reset (or any other way back to a temporary password) leaves the factor on.
  await t.database.db.updateTable('users').set({ must_change_password: true }).where('id', '=', gailId).execute();

  const holder = await signIn(t, 'gail@agency.test', 'guests own long password');
  const change = {
    newPassword: 'a brand new long password',
    newPasswordAgain: 'a brand new long password',
    givenName: 'Gail',
    familyName: 'Guest',
  };
  const refused = await holder.post('/api/v1/auth/change-password', change);
  expect(refused.statusCode).toBe(403);
  expect(refused.json().type).toBe('/api/problems/second-factor-required');

  await passSecondFactor(holder, secret);
  const changed = await holder.post('/api/v1/auth/change-password', change);
  expect(changed.statusCode, changed.body).toBe(200);
});
