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
  signIn,
} from '../helpers/partners.js';
import { waitFor } from '../helpers/wait.js';

/**
 * **Reset password** for a guest (SPEC §2a) through the HTTP API: who may, what ends, the mailed
 * temporary password, and the guest's next sign-in (second factor, then Change Password).
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

const NEW_PASSWORD = 'a brand new guest password';
const resetUrl = (partnerId: string, userId: string) =>
  `/api/v1/partners/${partnerId}/members/${userId}/reset-password`;
const reset = (client: TestClient, partnerId: string, userId: string) => client.post(resetUrl(partnerId, userId));
const userIdOf = async (client: TestClient) => (await me(client)).user.id;

type OutboxMessage = { to: string; subject: string; text: string | null; html: string | null };
const outbox = async () => (await owner.get('/api/v1/dev/outbox')).json().messages as OutboxMessage[];
const resetMailsTo = async (to: string) =>
  (await outbox()).filter(
    (m) => m.to === to && m.subject === 'Your Gatehouse password was reset: a new temporary password',
  );

/** The newest reset mail to `to`, once the outbox holds it, with the temporary password read from it. */
async function readResetMail(to: string, n = 1) {
  const mails = await waitFor(async () => {
    const found = await resetMailsTo(to);
    return found.length >= n ? found : null;
  }, `reset mail number ${n} to ${to}`);
  const mail = mails[0]!;
  const temporaryPassword = /^Temporary password: (\S+)$/m.exec(mail.text ?? '')?.[1];
  if (!temporaryPassword) throw new Error(`no temporary password in:\n${mail.text}`);
  return { mail, temporaryPassword };
}

const events = async (action: string) =>
  (
    await t.database.db
      .selectFrom('activity_events')
      .select(['actor_id', 'target_id', 'details'])
      .where('action', '=', action)
      .orderBy('seq')
      .execute()
  ).map((e) => ({ ...e, details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details }));

async function acceptTermsIfAsked(client: TestClient) {
  if (!(await client.get('/api/v1/auth/session')).json().pending.terms) return;
  const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
  expect((await client.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
}

async function signInMember(email: string) {
  const client = await signIn(t, email, MEMBER_PASSWORD);
  await acceptTermsIfAsked(client);
  return client;
}

/**
 * Agency: hosted by Hugo (a plain member), with Gail (guest admin), Gwen (a second guest admin), Gus
 * (guest user) and Ivy (invited, not joined). Other Co: Olga, a guest admin of another partner.
 */
async function agency() {
  const hostId = await addMember(owner, 'hugo@acme.test');
  const adminId = await addMember(owner, 'alma@acme.test', 'admin');
  await addMember(owner, 'mia@acme.test');
  const partner = await createPartner(owner, 'Agency', 'gail@agency.test', [hostId]);
  const gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  const invite = async (email: string) => {
    const invited = await gail.post(`/api/v1/partners/${partner.id}/guests`, { email });
    expect(invited.statusCode, invited.body).toBe(201);
  };
  await invite('gus@agency.test');
  const gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
    givenName: 'Gus',
    familyName: 'User',
  });
  await invite('gwen@agency.test');
  const gwen = await completeFirstSignIn(t, await readInvitation(owner, 'gwen@agency.test'), {
    givenName: 'Gwen',
    familyName: 'Admin',
  });
  const ids = { gail: await userIdOf(gail), gus: await userIdOf(gus), gwen: await userIdOf(gwen) };
  const promoted = await owner.request({
    method: 'PATCH',
    url: `/api/v1/partners/${partner.id}/guests/${ids.gwen}`,
    payload: { role: 'guest_admin' },
  });
  expect(promoted.statusCode, promoted.body).toBe(200);
  await invite('ivy@agency.test');
  const ivyId = (await owner.get(`/api/v1/partners/${partner.id}`))
    .json()
    .members.find((m: { email: string }) => m.email === 'ivy@agency.test').userId as string;

  const other = await createPartner(owner, 'Other Co', 'olga@other.test', [ownerId]);
  const olga = await completeFirstSignIn(t, await readInvitation(owner, 'olga@other.test'), {
    givenName: 'Olga',
    familyName: 'Other',
  });
  return { partner, otherId: other.id, hostId, adminId, ivyId, ids, gail, gus, gwen, olga };
}

describe('who may reset a guest’s password', () => {
  it('host admins, workspace admins and guest admins (for guest users) may; the member page offers exactly that', async () => {
    const a = await agency();
    const hugo = await signInMember('hugo@acme.test');
    const alma = await signInMember('alma@acme.test');
    const mia = await signInMember('mia@acme.test');
    const pid = a.partner.id;

    // The member page's flag, for each viewer and person, is the server's own answer below.
    const offered = async (client: TestClient, userId: string) => {
      const response = await client.get(`/api/v1/partners/${pid}/members/${userId}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().permissions.resetPassword as boolean;
    };
    expect(await offered(owner, a.ids.gail)).toBe(true);
    expect(await offered(alma, a.ids.gus)).toBe(true);
    expect(await offered(hugo, a.ids.gwen)).toBe(true);
    expect(await offered(a.gail, a.ids.gus)).toBe(true);
    expect(await offered(a.gail, a.ids.gwen)).toBe(false);
    expect(await offered(a.gail, a.ids.gail)).toBe(false);
    expect(await offered(a.gus, a.ids.gail)).toBe(false);
    expect(await offered(a.gus, a.ids.gus)).toBe(false);
    // An invited guest gets Resend invitation instead; a host admin is a member, not a guest.
    expect(await offered(hugo, a.ivyId)).toBe(false);
    expect(await offered(owner, a.hostId)).toBe(false);

    // Refused, with a reason, to those inside the partner who may not.
    const refusals: Array<[TestClient, string, string]> = [
      [a.gail, a.ids.gail, 'You cannot reset your own password here; change it on your Security page.'],
      [a.gail, a.ids.gwen, "Only host admins can reset a guest admin's password."],
      [a.gus, a.ids.gail, "Only host admins can reset a guest admin's password."],
      [a.gus, a.ids.gus, 'You cannot reset your own password here; change it on your Security page.'],
    ];
    for (const [client, userId, detail] of refusals) {
      const response = await reset(client, pid, userId);
      expect(response.statusCode, response.body).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: '/api/problems/forbidden', detail });
    }
    // A guest user may not reset another guest user either.
    const gusOnIvy = await reset(a.gus, pid, a.ivyId);
    expect(gusOnIvy.statusCode).toBe(403);
    expect(gusOnIvy.json().detail).toBe(
      "Only host admins, and guest admins for guest users, can reset a guest's password.",
    );

    // Outsiders learn nothing: not even that the partner exists.
    for (const outsider of [a.olga, mia]) {
      const response = await reset(outsider, pid, a.ids.gus);
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json().type).toBe('/api/problems/not-found');
    }
    // Olga's partner does not hold Gus; nor is a host admin a guest; an unknown person is not found.
    expect((await reset(owner, a.otherId, a.ids.gus)).statusCode).toBe(404);
    expect((await reset(owner, pid, a.hostId)).statusCode).toBe(404);
    expect((await reset(owner, pid, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await reset(owner, pid, 'not-a-uuid')).statusCode).toBe(400);
    // An invited guest has no password to reset yet.
    const invited = await reset(hugo, pid, a.ivyId);
    expect(invited.statusCode).toBe(409);
    expect(invited.json()).toMatchObject({ type: '/api/problems/guest-not-active' });
    expect(invited.json().detail).toContain('Resend invitation');
    // Nothing was reset so far.
    expect(await events('user.password_reset_by_admin')).toEqual([]);
    expect(await resetMailsTo('gus@agency.test')).toEqual([]);

    // Those who may: the guest admin on a guest user, the host admin on a guest admin, a workspace admin
    // who hosts nothing, and the owner.
    expect((await reset(a.gail, pid, a.ids.gus)).statusCode).toBe(204);
    expect((await reset(hugo, pid, a.ids.gwen)).statusCode).toBe(204);
    expect((await reset(alma, pid, a.ids.gus)).statusCode).toBe(204);
    expect((await reset(owner, pid, a.ids.gail)).statusCode).toBe(204);
    expect((await events('user.password_reset_by_admin')).map((e) => [e.actor_id, e.target_id, e.details])).toEqual([
      [a.ids.gail, a.ids.gus, { partnerId: pid, role: 'guest_user' }],
      [a.hostId, a.ids.gwen, { partnerId: pid, role: 'guest_admin' }],
      [a.adminId, a.ids.gus, { partnerId: pid, role: 'guest_user' }],
      [ownerId, a.ids.gail, { partnerId: pid, role: 'guest_admin' }],
    ]);
    // Each reset mailed the guest a password of their own: Gus got two, and only the newest works.
    const gusMails = await waitFor(async () => {
      const found = await resetMailsTo('gus@agency.test');
      return found.length === 2 ? found : null;
    }, 'two reset mails to Gus');
    const [newest, older] = gusMails.map((m) => /^Temporary password: (\S+)$/m.exec(m.text ?? '')![1]!);
    expect(newest).not.toBe(older);
    const withOlder = await t.client().post('/api/v1/auth/sign-in', {
      workspace: OWNER.slug,
      username: 'gus@agency.test',
      password: older,
    });
    expect(withOlder.statusCode).toBe(401);
    await signIn(t, 'gus@agency.test', newest!);
  });
});

describe('a reset, from the guest’s side', () => {
  it('ends every session, mails a working temporary password, and the next sign-in asks for the second factor, then Change Password', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const partner = await createPartner(owner, 'Agency', 'gus@agency.test', [hostId]);
    const gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
      givenName: 'Gus',
      familyName: 'Guest',
    });
    const gusId = await userIdOf(gus);
    const { secret } = await turnOnMfa(gus);
    // A second session of Gus, elsewhere, past its second factor.
    const elsewhere = await signIn(t, 'gus@agency.test', GUEST_PASSWORD, '198.51.100.7');
    await passSecondFactor(elsewhere, secret);
    expect((await elsewhere.get('/api/v1/auth/session')).statusCode).toBe(200);

    const hugo = await signInMember('hugo@acme.test');
    const response = await reset(hugo, partner.id, gusId);
    expect(response.statusCode, response.body).toBe(204);
    // The host admin is handed nothing: the password goes to the guest only.
    expect(response.body).toBe('');

    // Both sessions are over at their very next request, and the old password no longer works.
    expect((await gus.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await elsewhere.get('/api/v1/auth/session')).statusCode).toBe(401);
    const withOld = await t.client().post('/api/v1/auth/sign-in', {
      workspace: OWNER.slug,
      username: 'gus@agency.test',
      password: GUEST_PASSWORD,
    });
    expect(withOld.statusCode).toBe(401);
    expect(withOld.json().type).toBe('/api/problems/invalid-credentials');

    // The mail, as on invitation: workspace, username, temporary password, and where to sign in.
    const { mail, temporaryPassword } = await readResetMail('gus@agency.test');
    expect(temporaryPassword).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(mail.text).toContain(`Workspace: ${OWNER.workspaceName}`);
    expect(mail.text).toContain('Username: gus@agency.test');
    expect(mail.text).toContain('hugo Member reset your password');
    expect(mail.text).toContain(`/w/${OWNER.slug}/sign-in?username=gus%40agency.test`);
    expect(mail.html).toContain(temporaryPassword);
    expect(mail.html).toMatch(/<a [^>]*href="[^"]*\/w\/acme\/sign-in\?username=gus%40agency.test"[^>]*>Sign in<\/a>/);
    // The temporary password is in the sealed mail only, never in the activity log.
    const [event] = await events('user.password_reset_by_admin');
    expect(event).toMatchObject({ actor_id: hostId, target_id: gusId });
    expect(JSON.stringify(await events('user.password_reset_by_admin'))).not.toContain(temporaryPassword);

    // Next sign-in, with the password pasted from the mail with the spaces around it that a mail's layout
    // can add: the second factor first (the guest keeps their factors), then Change Password.
    const back = await signIn(t, 'gus@agency.test', ` ${temporaryPassword}\n`);
    expect((await back.get('/api/v1/auth/session')).json().pending).toEqual({
      secondFactor: true,
      passwordChange: true,
      terms: false,
    });
    const tooEarly = await back.post('/api/v1/auth/change-password', {
      newPassword: NEW_PASSWORD,
      newPasswordAgain: NEW_PASSWORD,
      givenName: 'Gus',
      familyName: 'Guest',
    });
    expect(tooEarly.statusCode).toBe(403);
    expect(tooEarly.json().type).toBe('/api/problems/second-factor-required');
    await passSecondFactor(back, secret);
    const session = (await back.get('/api/v1/auth/session')).json();
    expect(session.pending).toEqual({ secondFactor: false, passwordChange: true, terms: false });
    expect(session.user.status).toBe('active');
    expect((await back.get('/api/v1/accounts')).json().type).toBe('/api/problems/password-change-required');

    // The temporary password itself is refused as the new one.
    const same = await back.post('/api/v1/auth/change-password', {
      newPassword: temporaryPassword,
      newPasswordAgain: temporaryPassword,
      givenName: 'Gus',
      familyName: 'Guest',
    });
    expect(same.statusCode).toBe(422);
    expect(same.json().errors).toContainEqual({
      path: 'newPassword',
      message: 'Choose a password different from the temporary one.',
    });
    const changed = await back.post('/api/v1/auth/change-password', {
      newPassword: NEW_PASSWORD,
      newPasswordAgain: NEW_PASSWORD,
      givenName: 'Gus',
      familyName: 'Guest',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().pending).toEqual({ secondFactor: false, passwordChange: false, terms: false });
    expect((await back.get('/api/v1/mfa')).json()).toMatchObject({ totp: true });
    expect((await events('user.password_changed')).filter((e) => e.target_id === gusId).at(-1)?.details).toEqual({
      temporary: true,
    });

    // From now on the chosen password is the one, and the second factor is still asked.
    const temporaryAgain = await t.client().post('/api/v1/auth/sign-in', {
      workspace: OWNER.slug,
      username: 'gus@agency.test',
      password: temporaryPassword,
    });
    expect(temporaryAgain.statusCode).toBe(401);
    const later = await signIn(t, 'gus@agency.test', NEW_PASSWORD);
    expect((await later.get('/api/v1/auth/session')).json().pending).toEqual({
      secondFactor: true,
      passwordChange: false,
      terms: false,
    });
  });

  it('a guest who never turned on MFA signs in with the temporary password and changes it at once', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const partner = await createPartner(owner, 'Agency', 'gus@agency.test', [hostId, ownerId]);
    const gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'));
    const gusId = await userIdOf(gus);
    expect((await reset(owner, partner.id, gusId)).statusCode).toBe(204);
    const { temporaryPassword } = await readResetMail('gus@agency.test');
    const back = await signIn(t, 'gus@agency.test', temporaryPassword);
    expect((await back.get('/api/v1/auth/session')).json().pending).toEqual({
      secondFactor: false,
      passwordChange: true,
      terms: false,
    });
    const changed = await back.post('/api/v1/auth/change-password', {
      newPassword: NEW_PASSWORD,
      newPasswordAgain: NEW_PASSWORD,
      givenName: 'Gina',
      familyName: 'Guest',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().user.displayName).toBe('Gina Guest');
  });
});
