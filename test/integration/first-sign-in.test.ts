import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  createPartner,
  GUEST_PASSWORD,
  me,
  readInvitation,
  signIn,
  type ReceivedInvitation,
} from '../helpers/partners.js';

let t: TestApp;
let owner: TestClient;
let invitation: ReceivedInvitation;
let partnerId: string;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  const ownerId = (await me(owner)).user.id;
  partnerId = (await createPartner(owner, 'Agency One', 'gina@agency.test', [ownerId])).id;
  invitation = await readInvitation(owner, 'gina@agency.test');
});
afterEach(async () => {
  await t.close();
});

const changePassword = (guest: TestClient, overrides: Record<string, string> = {}) =>
  guest.post('/api/v1/auth/change-password', {
    newPassword: GUEST_PASSWORD,
    newPasswordAgain: GUEST_PASSWORD,
    givenName: 'Gina',
    familyName: 'Guest',
    ...overrides,
  });

describe("the guest's first sign-in", () => {
  it('mails a username, a temporary password of 16+ characters and a Join as a guest link to the waiting page', () => {
    expect(invitation.username).toBe('gina@agency.test');
    expect(invitation.temporaryPassword.length).toBeGreaterThanOrEqual(16);
    expect(invitation.joinUrl).toMatch(/^http:\/\/localhost:3000\/w\/acme\?invitation=/);
  });

  it('the link greets the invited guest by username; an unknown link says it is not valid', async () => {
    const link = await t.client().get(`/api/v1/invitations/by-token/${invitation.token}`);
    expect(link.json()).toMatchObject({
      state: 'pending',
      username: 'gina@agency.test',
      partnerName: 'Agency One',
      workspace: { slug: 'acme' },
    });
    const unknown = await t.client().get(`/api/v1/invitations/by-token/${'x'.repeat(43)}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toBe('/api/problems/invitation-not-found');
  });

  it('refuses a wrong temporary password with the usual message', async () => {
    const response = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: invitation.username,
      password: 'not-the-temporary-one',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toBe('Wrong username or password.');
  });

  it('takes the temporary password as pasted from the mail, with spaces or a line break around it; a chosen one as typed', async () => {
    const pasted = await signIn(t, invitation.username, ` ${invitation.temporaryPassword} \n`);
    expect((await me(pasted)).user).toMatchObject({ status: 'invited' });
    await signIn(t, invitation.username, `\t${invitation.temporaryPassword}\r\n`);

    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    expect((await changePassword(guest)).statusCode).toBe(200);
    for (const password of [`${GUEST_PASSWORD} `, ` ${GUEST_PASSWORD}`]) {
      const refused = await t.client().post('/api/v1/auth/sign-in', {
        workspace: 'acme',
        username: invitation.username,
        password,
      });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().detail).toBe('Wrong username or password.');
    }
    await signIn(t, invitation.username, GUEST_PASSWORD);
  });

  it('with the temporary password, allows only the password change until it is done', async () => {
    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    expect((await me(guest)).user).toMatchObject({ status: 'invited' });
    expect((await guest.get('/api/v1/auth/session')).json().pending).toEqual({
      secondFactor: false,
      passwordChange: true,
      terms: true,
    });
    for (const url of ['/api/v1/partners', `/api/v1/partners/${partnerId}`, '/api/v1/terms/current']) {
      const refused = await guest.get(url);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().type).toBe('/api/problems/password-change-required');
    }
  });

  it('names each broken rule: policy, reuse of the temporary password, mismatch, missing names', async () => {
    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    const cases: Array<[Record<string, string>, { path: string; message: string }]> = [
      [
        { newPassword: 'short', newPasswordAgain: 'short' },
        { path: 'newPassword', message: 'Use at least 12 characters.' },
      ],
      [
        { newPassword: 'gina@agency.test', newPasswordAgain: 'gina@agency.test' },
        { path: 'newPassword', message: 'Do not use your username or email address as the password.' },
      ],
      [
        { newPassword: 'password1234', newPasswordAgain: 'password1234' },
        {
          path: 'newPassword',
          message:
            'This password is easy to guess: use a few unrelated words, or more varied characters, rather than a word, name or pattern with a little added.',
        },
      ],
      [
        { newPassword: '123qweasdzxc', newPasswordAgain: '123qweasdzxc' },
        { path: 'newPassword', message: 'This password is too common; choose one that is harder to guess.' },
      ],
      [
        { newPassword: invitation.temporaryPassword, newPasswordAgain: invitation.temporaryPassword },
        { path: 'newPassword', message: 'Choose a password different from the temporary one.' },
      ],
      [
        { newPasswordAgain: 'something else entirely' },
        { path: 'newPasswordAgain', message: 'The two passwords do not match.' },
      ],
    ];
    for (const [overrides, expected] of cases) {
      const response = await changePassword(guest, overrides);
      expect(response.statusCode, JSON.stringify(overrides)).toBe(422);
      expect(response.json().errors).toContainEqual(expected);
    }
    for (const field of ['givenName', 'familyName']) {
      const response = await changePassword(guest, { [field]: '  ' });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect((await guest.get('/api/v1/auth/session')).json().user.status).toBe('invited');
  });

  it('a good password activates the guest, accepts the invitation and rotates the session; then terms gate', async () => {
    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    const before = guest.cookie('gatehouse_session');
    const changed = await changePassword(guest);
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      user: { status: 'active', displayName: 'Gina Guest' },
      pending: { passwordChange: false, terms: true },
    });
    expect(guest.cookie('gatehouse_session')).not.toBe(before);
    const stale = t.client();
    stale.setCookie('gatehouse_session', before!);
    expect((await stale.get('/api/v1/auth/session')).statusCode).toBe(401);

    const refused = await guest.get('/api/v1/partners');
    expect(refused.json().type).toBe('/api/problems/terms-acceptance-required');
    const terms = (await guest.get('/api/v1/terms/current')).json();
    expect(terms).toMatchObject({ version: 1, accepted: false });
    expect((await guest.post('/api/v1/terms/accept', { version: terms.version + 1 })).statusCode).toBe(409);
    expect((await guest.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
    expect((await guest.get('/api/v1/partners')).statusCode).toBe(200);

    const acceptance = await t.database.db
      .selectFrom('terms_acceptances')
      .selectAll()
      .where('user_id', '=', (await me(guest)).user.id)
      .executeTakeFirstOrThrow();
    expect(acceptance).toMatchObject({ body_sha256: terms.bodySha256, ip: '127.0.0.1', user_agent: 'gatehouse-tests' });

    // The temporary password is void now; the new one works.
    const old = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: invitation.username,
      password: invitation.temporaryPassword,
    });
    expect(old.statusCode).toBe(401);
    await signIn(t, invitation.username, GUEST_PASSWORD);

    // The link, used again after joining, says so.
    expect((await t.client().get(`/api/v1/invitations/by-token/${invitation.token}`)).json().state).toBe('accepted');
  });

  it('a new terms version asks everyone again, except its publisher', async () => {
    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    await changePassword(guest);
    await guest.post('/api/v1/terms/accept', { version: 1 });
    const published = await owner.post('/api/v1/terms', { body: 'New terms, version two.' });
    expect(published.statusCode).toBe(201);
    expect((await guest.get('/api/v1/partners')).json().type).toBe('/api/problems/terms-acceptance-required');
    expect((await owner.get('/api/v1/partners')).statusCode).toBe(200);
    expect((await guest.get('/api/v1/terms/current')).json()).toMatchObject({
      version: 2,
      body: 'New terms, version two.',
    });
    expect((await guest.post('/api/v1/terms', { body: 'guest edits' })).statusCode).toBe(403);
  });

  it('an expired invitation: the link and the temporary password say when and who can resend', async () => {
    await t.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date('2026-01-02T03:04:00Z') })
      .execute();
    const link = (await t.client().get(`/api/v1/invitations/by-token/${invitation.token}`)).json();
    expect(link).toMatchObject({ state: 'expired', resendBy: ['Ada Owner'] });
    const response = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: invitation.username,
      password: invitation.temporaryPassword,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      type: '/api/problems/temporary-password-expired',
      detail:
        'Your temporary password expired on 2 January 2026, 03:04 UTC. Ask Ada Owner or another host admin of Agency One to resend the invitation.',
    });
  });

  it('a revoked invitation: the link says so and the temporary password no longer signs in', async () => {
    const detail = (await owner.get(`/api/v1/partners/${partnerId}`)).json();
    const invitationId = detail.members.find((m: { email: string }) => m.email === 'gina@agency.test').invitation.id;
    expect((await owner.post(`/api/v1/invitations/${invitationId}/revoke`)).statusCode).toBe(204);
    expect((await t.client().get(`/api/v1/invitations/by-token/${invitation.token}`)).json().state).toBe('revoked');
    const response = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: invitation.username,
      password: invitation.temporaryPassword,
    });
    expect(response.statusCode).toBe(401);
    const listed = (await owner.get(`/api/v1/partners/${partnerId}`))
      .json()
      .members.find((m: { email: string }) => m.email === 'gina@agency.test');
    expect(listed).toMatchObject({ status: 'deactivated', invitation: { state: 'revoked' } });

    // Invited again, the person gets a fresh invitation that works.
    expect((await owner.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gina@agency.test' })).statusCode).toBe(
      201,
    );
    const again = await readInvitation(owner, 'gina@agency.test');
    await signIn(t, again.username, again.temporaryPassword);
  });

  it('resending voids the old temporary password and link, restarts the expiry, and the new one works', async () => {
    const detail = (await owner.get(`/api/v1/partners/${partnerId}`)).json();
    const invitationId = detail.members.find((m: { email: string }) => m.email === 'gina@agency.test').invitation.id;
    const halfway = await signIn(t, invitation.username, invitation.temporaryPassword);
    await t.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    expect((await owner.post(`/api/v1/invitations/${invitationId}/resend`)).statusCode).toBe(204);

    const resent = await readInvitation(owner, 'gina@agency.test');
    expect(resent.temporaryPassword).not.toBe(invitation.temporaryPassword);
    expect((await halfway.get('/api/v1/auth/session')).statusCode).toBe(401);
    const old = await t.client().post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: invitation.username,
      password: invitation.temporaryPassword,
    });
    expect(old.statusCode).toBe(401);
    expect(old.json().detail).toBe('Wrong username or password.');
    expect((await t.client().get(`/api/v1/invitations/by-token/${invitation.token}`)).statusCode).toBe(404);
    const fresh = await t.client().get(`/api/v1/invitations/by-token/${resent.token}`);
    expect(fresh.json().state).toBe('pending');
    expect(new Date(fresh.json().expiresAt).getTime()).toBeGreaterThan(Date.now() + 47 * 3600_000);
    await signIn(t, resent.username, resent.temporaryPassword);
    const row = await t.database.db
      .selectFrom('invitations')
      .select('times_sent')
      .where('id', '=', invitationId)
      .executeTakeFirstOrThrow();
    expect(row.times_sent).toBe(2);
  });
});
