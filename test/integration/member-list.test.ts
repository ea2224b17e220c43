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

type Permissions = {
  resetMfa: boolean;
  changeRole: boolean;
  deactivate: boolean;
  reactivate: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
  changeEmail: boolean;
};
type Listed = {
  id: string;
  email: string;
  status: string;
  mfa: { totp: boolean; passkeys: number };
  lastSignInAt: string | null;
  invitation: { state: string } | null;
  permissions: Permissions;
};
const members = async (client: TestClient) => {
  const response = await client.get('/api/v1/members');
  expect(response.statusCode, response.body).toBe(200);
  return Object.fromEntries((response.json().members as Listed[]).map((m) => [m.email, m]));
};
const NOTHING: Permissions = {
  resetMfa: false,
  changeRole: false,
  deactivate: false,
  reactivate: false,
  resendInvitation: false,
  revokeInvitation: false,
  changeEmail: false,
};
/** What the owner may do to an active member or admin who has joined. */
const ON_ACTIVE: Permissions = { ...NOTHING, changeRole: true, deactivate: true, changeEmail: true };

it('shows MFA and last sign-in, and offers Reset MFA only where it would succeed', async () => {
  await turnOnMfa(owner);
  const miaId = await addMember(owner, 'mia@acme.test');
  const noahId = await addMember(owner, 'noah@acme.test');
  await addMember(owner, 'ali@acme.test', 'admin');
  const invited = await owner.post('/api/v1/members', { email: 'olive@acme.test', role: 'member' });
  expect(invited.statusCode, invited.body).toBe(201);
  const oliveId = invited.json().id as string;
  const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  expect((await mia.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  await turnOnMfa(mia);

  const seen = await members(owner);
  const ownerId = seen[OWNER.email]!.id;
  expect(seen[OWNER.email]).toMatchObject({ mfa: { totp: true, passkeys: 0 } });
  expect(seen[OWNER.email]!.permissions).toEqual(NOTHING);
  expect(seen['mia@acme.test']).toMatchObject({ mfa: { totp: true, passkeys: 0 } });
  expect(seen['mia@acme.test']!.permissions).toEqual({ ...ON_ACTIVE, resetMfa: true });
  expect(seen['mia@acme.test']!.lastSignInAt).toEqual(expect.any(String));
  // Noah joined from his link (which signed him in) and has no factor: nothing to reset.
  expect(seen['noah@acme.test']).toMatchObject({
    status: 'active',
    mfa: { totp: false, passkeys: 0 },
    lastSignInAt: expect.any(String),
    invitation: null,
  });
  expect(seen['noah@acme.test']!.permissions).toEqual(ON_ACTIVE);
  // The owner acts on admins too.
  expect(seen['ali@acme.test']!.permissions).toEqual(ON_ACTIVE);
  // Olive is invited and has never signed in: her invitation can be resent or revoked, and nothing else
  // offered but her email.
  expect(seen['olive@acme.test']).toMatchObject({
    status: 'invited',
    mfa: { totp: false, passkeys: 0 },
    lastSignInAt: null,
    invitation: { state: 'pending' },
  });
  expect(seen['olive@acme.test']!.permissions).toEqual({
    ...NOTHING,
    resendInvitation: true,
    revokeInvitation: true,
    // A mistyped invitation is revoked and sent again, not re-addressed.
    changeEmail: false,
  });

  // An admin acts on members, never on the owner, another admin or themselves, and never makes an admin.
  const ali = await signIn(t, 'ali@acme.test', MEMBER_PASSWORD);
  expect((await ali.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  const asAdmin = await members(ali);
  expect(asAdmin[OWNER.email]!.permissions).toEqual(NOTHING);
  expect(asAdmin['ali@acme.test']!.permissions).toEqual(NOTHING);
  expect(asAdmin['mia@acme.test']!.permissions).toEqual({ ...ON_ACTIVE, changeRole: false, resetMfa: true });
  expect(asAdmin['olive@acme.test']!.permissions).toEqual(seen['olive@acme.test']!.permissions);

  // The flag matches the outcome: offered → done; not offered → refused.
  expect((await owner.post(`/api/v1/members/${miaId}/reset-mfa`)).statusCode).toBeLessThan(300);
  expect((await owner.post(`/api/v1/members/${noahId}/reset-mfa`)).statusCode).toBeGreaterThanOrEqual(400);
  const adminPromotes = await ali.request({
    method: 'PUT',
    url: `/api/v1/members/${miaId}/role`,
    payload: { role: 'admin' },
  });
  expect(adminPromotes.statusCode, adminPromotes.body).toBe(403);
  const adminDeactivatesOwner = await ali.post(`/api/v1/members/${ownerId}/deactivate`, {});
  expect(adminDeactivatesOwner.statusCode, adminDeactivatesOwner.body).toBe(403);
  expect((await owner.post(`/api/v1/members/${oliveId}/deactivate`, {})).statusCode).toBeGreaterThanOrEqual(400);
  expect((await owner.post(`/api/v1/members/${noahId}/reactivate`)).statusCode).toBeGreaterThanOrEqual(400);
  expect((await owner.post(`/api/v1/members/${noahId}/resend-invitation`)).statusCode).toBeGreaterThanOrEqual(400);
  expect((await owner.post(`/api/v1/members/${oliveId}/resend-invitation`)).statusCode).toBe(204);
  const promoted = await owner.request({
    method: 'PUT',
    url: `/api/v1/members/${noahId}/role`,
    payload: { role: 'admin' },
  });
  expect(promoted.statusCode, promoted.body).toBe(204);
  const deactivated = await owner.post(`/api/v1/members/${noahId}/deactivate`, {});
  expect(deactivated.statusCode, deactivated.body).toBe(200);
  // Deactivated: only Reactivate is offered, and it works.
  const after = await members(owner);
  expect(after['noah@acme.test']).toMatchObject({ status: 'deactivated', role: 'admin' });
  expect(after['noah@acme.test']!.permissions).toEqual({ ...NOTHING, reactivate: true });
  expect((await owner.post(`/api/v1/members/${noahId}/reactivate`)).statusCode).toBe(204);

  // A member is offered nothing on anyone, and is refused.
  const miaAgain = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  const asMember = await members(miaAgain);
  expect(Object.values(asMember).map((m) => [m.email, m.permissions])).toEqual(
    Object.keys(asMember).map((email) => [email, NOTHING]),
  );
  expect((await miaAgain.post(`/api/v1/members/${oliveId}/revoke-invitation`)).statusCode).toBe(403);
});
