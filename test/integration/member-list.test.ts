import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { turnOnMfa } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';

/**
 * The Members list (issue 14, issue 11): each member's MFA and last sign-in, and **Reset MFA** offered
 * exactly when the server would do it — who acts on whom, and only when there is a factor to reset.
 */

let t: TestApp;
let owner: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

type Listed = {
  email: string;
  mfa: { totp: boolean; passkeys: number };
  lastSignInAt: string | null;
  permissions: { resetMfa: boolean };
};
const members = async (client: TestClient) => {
  const response = await client.get('/api/v1/members');
  expect(response.statusCode, response.body).toBe(200);
  return Object.fromEntries((response.json().members as Listed[]).map((m) => [m.email, m]));
};

it('shows MFA and last sign-in, and offers Reset MFA only where it would succeed', async () => {
  await turnOnMfa(owner);
  const miaId = await addMember(owner, 'mia@acme.test');
  await addMember(owner, 'noah@acme.test');
  const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  expect((await mia.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  await turnOnMfa(mia);

  const seen = await members(owner);
  expect(seen[OWNER.email]).toMatchObject({ mfa: { totp: true, passkeys: 0 }, permissions: { resetMfa: false } });
  expect(seen['mia@acme.test']).toMatchObject({ mfa: { totp: true, passkeys: 0 }, permissions: { resetMfa: true } });
  expect(seen['mia@acme.test']!.lastSignInAt).toEqual(expect.any(String));
  // Noah has never signed in and has no factor: nothing to reset.
  expect(seen['noah@acme.test']).toMatchObject({
    mfa: { totp: false, passkeys: 0 },
    lastSignInAt: null,
    permissions: { resetMfa: false },
  });

  // The flag matches the outcome: offered → done; not offered → refused.
  expect((await owner.post(`/api/v1/members/${miaId}/reset-mfa`)).statusCode).toBeLessThan(300);
  const noahId = (
    await t.database.db.selectFrom('users').select('id').where('email', '=', 'noah@acme.test').executeTakeFirstOrThrow()
  ).id;
  expect((await owner.post(`/api/v1/members/${noahId}/reset-mfa`)).statusCode).toBeGreaterThanOrEqual(400);
  // A member is offered nothing on anyone.
  const miaAgain = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  const asMember = await members(miaAgain);
  expect(Object.values(asMember).every((m) => !m.permissions.resetMfa)).toBe(true);
});
