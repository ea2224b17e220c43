import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  readInvitation,
} from '../helpers/partners.js';

/**
 * SPEC §2b: in an `idp` workspace members sign in only through the IdP. A member's password sign-in is
 * refused (only once the password is right, so the refusal names nobody to a stranger); guests keep their
 * Gatehouse passwords; the owner's break-glass local sign-in works, but MFA comes before anything else and
 * every use is in the activity log. A member's session without a second factor (Gatehouse's or one the
 * IdP asserted) gets no account access.
 */

let t: TestApp;
let owner: TestClient;
let guestUsername: string;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  await addMember(owner, 'mia@acme.test');
  const ownerId = (await me(owner)).user.id;
  await createPartner(owner, 'Agency Ltd', 'gail@agency.test', [ownerId]);
  const invitation = await readInvitation(owner, 'gail@agency.test');
  guestUsername = invitation.username;
  await completeFirstSignIn(t, invitation);
});
afterEach(async () => {
  await t.close();
});

async function switchToIdp(): Promise<void> {
  await t.database.db
    .updateTable('workspaces')
    .set({ mode: 'idp', idp_issuer: 'https://idp.acme.test', idp_client_id: 'gatehouse' })
    .execute();
}

function signInAs(client: TestClient, username: string, password: string) {
  return client.post('/api/v1/auth/sign-in', { workspace: 'acme', username, password });
}

async function userId(email: string): Promise<string> {
  const row = await t.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return row.id;
}

async function sessionCount(email: string): Promise<number> {
  const rows = await t.database.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', await userId(email))
    .execute();
  return rows.length;
}

/** The activity log as the owner's admin view lists it, read from the database (the owner may be gated). */
async function actions(): Promise<Array<{ action: string; actor_id: string | null; details: unknown }>> {
  return t.database.db
    .selectFrom('activity_events')
    .select(['action', 'actor_id', 'details'])
    .orderBy('seq', 'asc')
    .execute();
}

describe('in an idp workspace', () => {
  beforeEach(switchToIdp);

  it("refuses a member's right password with sign-in-with-idp, pointing to the IdP, and opens no session", async () => {
    const before = await sessionCount('mia@acme.test');
    const client = t.client();
    const response = await signInAs(client, 'mia@acme.test', MEMBER_PASSWORD);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: '/api/problems/sign-in-with-idp',
      detail: expect.stringContaining("through the company's identity provider"),
    });
    expect(response.headers['set-cookie'] ?? '').not.toContain('gatehouse_session');
    expect(await sessionCount('mia@acme.test')).toBe(before);
    expect((await client.get('/api/v1/auth/session')).statusCode).toBe(401);

    const refused = (await actions()).filter((e) => e.action === 'auth.sign_in_failed');
    expect(refused.at(-1)).toMatchObject({
      actor_id: await userId('mia@acme.test'),
      details: { reason: 'sign_in_with_idp' },
    });
  });

  it('an admin is a member too: refused the same way', async () => {
    await t.database.db.updateTable('users').set({ role: 'admin' }).where('email', '=', 'mia@acme.test').execute();
    const response = await signInAs(t.client(), 'mia@acme.test', MEMBER_PASSWORD);
    expect(response.statusCode).toBe(403);
    expect(response.json().type).toBe('/api/problems/sign-in-with-idp');
  });

  it("answers a member's wrong password, and an unknown username, with the usual invalid-credentials", async () => {
    for (const [username, password] of [
      ['mia@acme.test', 'not the password at all'],
      ['nobody@acme.test', MEMBER_PASSWORD],
    ]) {
      const response = await signInAs(t.client(), username!, password!);
      expect(response.statusCode).toBe(401);
      expect(response.json().type).toBe('/api/problems/invalid-credentials');
    }
    const failures = (await actions()).filter((e) => e.action === 'auth.sign_in_failed');
    expect(failures.map((e) => (e.details as { reason: string }).reason)).toEqual(['wrong_password', 'unknown_user']);
  });

  it('lets a guest sign in with their Gatehouse password as before', async () => {
    const guest = t.client();
    const response = await signInAs(guest, guestUsername, GUEST_PASSWORD);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().assurance).toMatchObject({ mfaRequired: true, mfaEnrolmentRequired: false });
    expect((await guest.get('/api/v1/auth/session')).statusCode).toBe(200);
  });

  it('lets the owner in by password (break-glass), but nothing before MFA is on, and logs every such sign-in', async () => {
    const ownerId = await userId(OWNER.email);
    const breakGlass = t.client();
    const response = await signInAs(breakGlass, OWNER.email, OWNER.password);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().assurance).toMatchObject({
      mfaRequired: true,
      mfaEnrolmentRequired: true,
      mfaEnabled: false,
    });

    // Nothing but turning MFA on (and the session itself, and signing out) answers.
    for (const path of ['/api/v1/accounts', '/api/v1/members', '/api/v1/partners', '/api/v1/activity']) {
      const refused = await breakGlass.get(path);
      expect(refused.statusCode, path).toBe(403);
      expect(refused.json().type, path).toBe('/api/problems/mfa-required');
    }
    const invite = await breakGlass.post('/api/v1/members', { email: 'new@acme.test', role: 'admin' });
    expect(invite.statusCode).toBe(403);
    expect(invite.json().type).toBe('/api/problems/mfa-required');
    expect((await breakGlass.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await breakGlass.get('/api/v1/mfa')).statusCode).toBe(200);

    const { secret } = await turnOnMfa(breakGlass);
    const after = (await breakGlass.get('/api/v1/auth/session')).json();
    expect(after.assurance).toMatchObject({ mfaEnrolmentRequired: false, mfaEnabled: true });
    expect((await breakGlass.get('/api/v1/accounts')).statusCode).toBe(200);
    expect((await breakGlass.get('/api/v1/members')).statusCode).toBe(200);

    // With a factor, the next break-glass sign-in asks it as usual, and is logged again.
    const again = t.client();
    const second = await signInAs(again, OWNER.email, OWNER.password);
    expect(second.statusCode).toBe(200);
    expect(second.json().pending.secondFactor).toBe(true);
    expect((await again.get('/api/v1/accounts')).json().type).toBe('/api/problems/second-factor-required');
    await passSecondFactor(again, secret);
    expect((await again.get('/api/v1/accounts')).statusCode).toBe(200);

    const logged = (await actions()).filter((e) => e.action === 'auth.break_glass_sign_in');
    expect(logged).toHaveLength(2);
    expect(logged.every((e) => e.actor_id === ownerId)).toBe(true);
    // …and visible in the activity log the web app shows.
    const listed = (await again.get('/api/v1/activity?limit=1000')).json().events as Array<{ action: string }>;
    expect(listed.filter((e) => e.action === 'auth.break_glass_sign_in')).toHaveLength(2);
  });

  it("holds the owner's session from before the switch to MFA first as well", async () => {
    const refused = await owner.get('/api/v1/members');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/mfa-required');
    expect((await owner.post('/api/v1/auth/sign-out')).statusCode).toBe(204);
  });
});

describe("a member's session in an idp workspace", () => {
  it('gets no account access without a second factor, unless the IdP asserted one for the session', async () => {
    const mia = t.client();
    expect((await signInAs(mia, 'mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
    const terms = (await mia.get('/api/v1/terms/current')).json() as { version: number };
    expect((await mia.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
    await switchToIdp();

    const session = (await mia.get('/api/v1/auth/session')).json();
    expect(session.assurance).toMatchObject({ mfaRequired: true, mfaEnabled: false, mfaEnrolmentRequired: false });
    const refused = await mia.get('/api/v1/accounts');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/mfa-required');

    // What the OIDC sign-in does when the IdP asserted MFA: the session counts as having passed a second factor.
    await t.database.db
      .updateTable('sessions')
      .set({ second_factor_at: new Date() })
      .where('user_id', '=', await userId('mia@acme.test'))
      .where('ended_at', 'is', null)
      .execute();
    expect((await mia.get('/api/v1/auth/session')).json().assurance.mfaRequired).toBe(false);
    expect((await mia.get('/api/v1/accounts')).statusCode).toBe(200);
  });
});

describe('in a local workspace nothing changes', () => {
  it('members and the owner sign in with passwords, and no break-glass is logged', async () => {
    const mia = await signInAs(t.client(), 'mia@acme.test', MEMBER_PASSWORD);
    expect(mia.statusCode).toBe(200);
    expect(mia.json().assurance).toMatchObject({ mfaRequired: true, mfaEnrolmentRequired: false });
    const ownerClient = t.client();
    const signedIn = await signInAs(ownerClient, OWNER.email, OWNER.password);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().assurance.mfaEnrolmentRequired).toBe(false);
    expect((await ownerClient.get('/api/v1/members')).statusCode).toBe(200);
    expect((await actions()).some((e) => e.action === 'auth.break_glass_sign_in')).toBe(false);
  });
});
