import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
} from '../helpers/partners.js';

/**
 * **Change email** of a member (SPEC §2a, issue 11): an admin asks, a link goes to the new address, and
 * only its confirmation changes the email and the username the person signs in with.
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

interface Mail {
  to: string;
  subject: string;
  text: string;
}

async function mails(): Promise<Mail[]> {
  const response = await owner.get('/api/v1/dev/outbox');
  expect(response.statusCode, response.body).toBe(200);
  return response.json().messages as Mail[];
}

/** The token of the newest Confirm email address link mailed to `to`. */
async function confirmationToken(to: string): Promise<string> {
  const mail = (await mails()).find((m) => m.to === to && m.subject === 'Confirm your new email address on Gatehouse');
  if (!mail) throw new Error(`no confirmation mail to ${to}`);
  const url = /(https?:\/\/\S+\/email\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!url) throw new Error(`no link in:\n${mail.text}`);
  return new URL(url).searchParams.get('token')!;
}

const requestChange = (client: TestClient, userId: string, email: string) =>
  client.post(`/api/v1/members/${userId}/email`, { email });

const signInAs = (username: string, password: string) =>
  t.client().post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username, password });

/** Signed in, with the current terms accepted (a member's first sign-in asks for them). */
async function signedIn(username: string, password = MEMBER_PASSWORD): Promise<TestClient> {
  const client = t.client();
  const response = await client.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username, password });
  expect(response.statusCode, response.body).toBe(200);
  if (response.json().pending?.terms) {
    const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
    expect((await client.post('/api/v1/terms/accept', { version: terms.version })).statusCode).toBe(204);
  }
  return client;
}

describe('who may ask', () => {
  it('follows who acts on whom: the owner on admins, admins on members, nobody on the owner or on themselves', async () => {
    const adminId = await addMember(owner, 'adam@acme.test', 'admin');
    const otherAdminId = await addMember(owner, 'alba@acme.test', 'admin');
    const memberId = await addMember(owner, 'mia@acme.test');
    const otherMemberId = await addMember(owner, 'max@acme.test');
    const admin = await signedIn('adam@acme.test');
    const member = await signedIn('mia@acme.test');

    const answer = async (client: TestClient, userId: string, email: string) => {
      const response = await requestChange(client, userId, email);
      return response.statusCode === 202 ? 202 : `${response.statusCode} ${response.json().type}`;
    };
    const answers = {
      ownerOnAdmin: await answer(owner, adminId, 'adam.new@acme.test'),
      adminOnAdmin: await answer(admin, otherAdminId, 'alba.new@acme.test'),
      adminOnMember: await answer(admin, memberId, 'mia.new@acme.test'),
      adminOnOwner: await answer(admin, ownerId, 'ada.new@acme.test'),
      adminOnSelf: await answer(admin, adminId, 'adam.self@acme.test'),
      ownerOnSelf: await answer(owner, ownerId, 'ada.self@acme.test'),
      memberOnMember: await answer(member, otherMemberId, 'max.new@acme.test'),
    };
    const refused = '403 /api/problems/forbidden';
    expect(answers).toEqual({
      ownerOnAdmin: 202,
      adminOnAdmin: refused,
      adminOnMember: 202,
      adminOnOwner: refused,
      adminOnSelf: refused,
      ownerOnSelf: refused,
      memberOnMember: refused,
    });
    const detail = await requestChange(admin, otherAdminId, 'alba.new@acme.test');
    expect(detail.json()).toMatchObject({
      type: '/api/problems/forbidden',
      detail: "Only the workspace owner can change an admin's email address.",
    });
    // Only the two allowed requests sent mail: a link to each new address.
    const sent = (await mails()).filter((m) => m.subject === 'Confirm your new email address on Gatehouse');
    expect(sent.map((m) => m.to).sort()).toEqual(['adam.new@acme.test', 'mia.new@acme.test']);
  });

  it('a guest learns nothing (404), and a guest is no member to change', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    await createPartner(owner, 'Agency', 'gia@agency.test', [ownerId]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gia@agency.test'));
    const guestId = (await me(guest)).user.id;

    const byGuest = await requestChange(guest, memberId, 'mia.new@acme.test');
    expect(byGuest.statusCode).toBe(404);
    expect(byGuest.headers['content-type']).toContain('application/problem+json');
    expect((await requestChange(owner, guestId, 'gia.new@agency.test')).statusCode).toBe(404);
    expect((await requestChange(owner, '00000000-0000-4000-8000-000000000000', 'x@acme.test')).statusCode).toBe(404);
  });

  it('refuses a bad address, the current one, and one anyone in the workspace uses', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    await addMember(owner, 'max@acme.test');
    await createPartner(owner, 'Agency', 'gia@agency.test', [ownerId]);

    const bad = await requestChange(owner, memberId, 'not an address');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ message: 'Enter a valid email address.' });

    const same = await requestChange(owner, memberId, 'MIA@acme.test');
    expect(same.statusCode).toBe(422);
    expect(same.json()).toMatchObject({
      type: '/api/problems/email-unchanged',
      errors: [{ path: 'email', message: 'This is already their email address.' }],
    });

    for (const taken of ['Max@acme.test', 'gia@agency.test', OWNER.email]) {
      const response = await requestChange(owner, memberId, taken);
      expect(response.statusCode, taken).toBe(409);
      expect(response.json()).toMatchObject({
        type: '/api/problems/email-taken',
        errors: [{ path: 'email', message: 'Someone in this workspace already uses this email.' }],
      });
    }
    expect((await mails()).filter((m) => m.subject.startsWith('Confirm your new email'))).toEqual([]);
  });
});

describe('asking', () => {
  it('changes nothing until confirmed: a link to the new address, a notice to the old one', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    const requested = await requestChange(owner, memberId, 'mia@newmail.test');
    expect(requested.statusCode, requested.body).toBe(202);
    expect(requested.json()).toMatchObject({ newEmail: 'mia@newmail.test' });

    const all = await mails();
    const link = all.find((m) => m.to === 'mia@newmail.test');
    expect(link?.subject).toBe('Confirm your new email address on Gatehouse');
    expect(link?.text).toContain('from mia@acme.test to mia@newmail.test');
    const notice = all.find((m) => m.to === 'mia@acme.test');
    expect(notice?.subject).toBe('A change of your Gatehouse email address was requested');
    expect(notice?.text).toContain('to mia@newmail.test');
    expect(notice?.text).not.toContain('/email/confirm');

    // Still the old address everywhere, and only the old one signs in.
    expect((await signInAs('mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
    expect((await signInAs('mia@newmail.test', MEMBER_PASSWORD)).statusCode).toBe(401);
    const members = (await owner.get('/api/v1/members')).json().members as Array<{ id: string; email: string }>;
    expect(members.find((m) => m.id === memberId)?.email).toBe('mia@acme.test');

    const token = await confirmationToken('mia@newmail.test');
    const lookup = await t.client().get(`/api/v1/email-changes/${token}`);
    expect(lookup.statusCode, lookup.body).toBe(200);
    expect(lookup.json()).toMatchObject({
      state: 'pending',
      workspace: { slug: 'acme', name: OWNER.workspaceName },
      currentEmail: 'mia@acme.test',
      newEmail: 'mia@newmail.test',
    });
  });

  it('a newer request cancels the older link', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    expect((await requestChange(owner, memberId, 'first@newmail.test')).statusCode).toBe(202);
    const first = await confirmationToken('first@newmail.test');
    expect((await requestChange(owner, memberId, 'second@newmail.test')).statusCode).toBe(202);
    const second = await confirmationToken('second@newmail.test');

    expect((await t.client().get(`/api/v1/email-changes/${first}`)).json().state).toBe('cancelled');
    const stale = await t.client().post('/api/v1/email-changes/confirm', { token: first });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().type).toBe('/api/problems/email-change-cancelled');
    expect((await t.client().post('/api/v1/email-changes/confirm', { token: second })).statusCode).toBe(200);
    expect((await signInAs('second@newmail.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });
});

describe('confirming', () => {
  it('changes the sign-in name, keeps the password and MFA, ends every session, and is logged', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    const mia = await signedIn('mia@acme.test');
    const { secret } = await turnOnMfa(mia);
    const otherBrowser = await signedIn('mia@acme.test');
    await passSecondFactor(otherBrowser, secret);
    expect((await requestChange(owner, memberId, 'mia@newmail.test')).statusCode).toBe(202);
    const token = await confirmationToken('mia@newmail.test');

    const confirmed = await t.client().post('/api/v1/email-changes/confirm', { token });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toEqual({
      workspace: { slug: 'acme', name: OWNER.workspaceName },
      email: 'mia@newmail.test',
    });

    // Every session of hers ended; the owner's did not.
    expect((await mia.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await otherBrowser.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);

    // The old username no longer signs in; the new one does, with the old password, and MFA still asked.
    const old = await signInAs('mia@acme.test', MEMBER_PASSWORD);
    expect(old.statusCode).toBe(401);
    expect(old.json().type).toBe('/api/problems/invalid-credentials');
    const again = await signedIn('mia@newmail.test');
    const session = (await again.get('/api/v1/auth/session')).json();
    expect(session.user).toMatchObject({ id: memberId, email: 'mia@newmail.test' });
    expect(session.pending.secondFactor).toBe(true);
    await passSecondFactor(again, secret);

    const members = (await owner.get('/api/v1/members')).json().members as Array<{ id: string; email: string }>;
    expect(members.find((m) => m.id === memberId)?.email).toBe('mia@newmail.test');
    const events = (await owner.get('/api/v1/activity')).json().events as Array<{
      action: string;
      targetId: string | null;
      details: Record<string, unknown>;
    }>;
    expect(events.find((e) => e.action === 'user.email_changed')).toMatchObject({
      targetId: memberId,
      details: { from: 'mia@acme.test', to: 'mia@newmail.test', requestedBy: ownerId },
    });
    expect(events.find((e) => e.action === 'user.email_change_requested')).toMatchObject({
      targetId: memberId,
      details: { from: 'mia@acme.test', to: 'mia@newmail.test' },
    });
  });

  it('a link works once', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    await requestChange(owner, memberId, 'mia@newmail.test');
    const token = await confirmationToken('mia@newmail.test');
    expect((await t.client().post('/api/v1/email-changes/confirm', { token })).statusCode).toBe(200);
    const mia = await signedIn('mia@newmail.test');

    const twice = await t.client().post('/api/v1/email-changes/confirm', { token });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().type).toBe('/api/problems/email-change-used');
    // The second try ended nothing.
    expect((await mia.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await t.client().get(`/api/v1/email-changes/${token}`)).json()).toMatchObject({
      state: 'confirmed',
      currentEmail: 'mia@newmail.test',
    });
  });

  it('a link expires after 24 hours', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    const requested = await requestChange(owner, memberId, 'mia@newmail.test');
    const expiresAt = Date.parse(requested.json().expiresAt as string);
    expect(expiresAt - Date.now()).toBeGreaterThan(23.9 * 60 * 60 * 1000);
    expect(expiresAt - Date.now()).toBeLessThan(24.1 * 60 * 60 * 1000);
    const token = await confirmationToken('mia@newmail.test');
    await t.database.db
      .updateTable('email_changes')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', memberId)
      .execute();

    expect((await t.client().get(`/api/v1/email-changes/${token}`)).json().state).toBe('expired');
    const late = await t.client().post('/api/v1/email-changes/confirm', { token });
    expect(late.statusCode).toBe(410);
    expect(late.json().type).toBe('/api/problems/email-change-expired');
    expect((await signInAs('mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });

  it('refuses an address someone took in the meantime', async () => {
    const memberId = await addMember(owner, 'mia@acme.test');
    await requestChange(owner, memberId, 'shared@acme.test');
    const token = await confirmationToken('shared@acme.test');
    await addMember(owner, 'shared@acme.test');

    const taken = await t.client().post('/api/v1/email-changes/confirm', { token });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().type).toBe('/api/problems/email-taken');
    expect((await signInAs('mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
    expect((await t.client().get(`/api/v1/email-changes/${token}`)).json().state).toBe('pending');
  });

  it('refuses when whoever asked may no longer do it', async () => {
    await addMember(owner, 'adam@acme.test', 'admin');
    const memberId = await addMember(owner, 'mia@acme.test');
    const admin = await signedIn('adam@acme.test');
    await requestChange(admin, memberId, 'mia@newmail.test');
    const token = await confirmationToken('mia@newmail.test');
    // The admin became a plain member before the link was opened.
    await t.database.db.updateTable('users').set({ role: 'member' }).where('email', '=', 'adam@acme.test').execute();

    // The page already says the link no longer works, rather than offer a button that would fail.
    expect((await t.client().get(`/api/v1/email-changes/${token}`)).json().state).toBe('cancelled');
    const refused = await t.client().post('/api/v1/email-changes/confirm', { token });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toBe('/api/problems/email-change-cancelled');
    expect((await signInAs('mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);
  });

  it('an unknown or malformed token is a problem, never a 500', async () => {
    const unknown = await t.client().get(`/api/v1/email-changes/${'A'.repeat(43)}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toBe('/api/problems/email-change-not-found');
    expect((await t.client().post('/api/v1/email-changes/confirm', { token: 'A'.repeat(43) })).statusCode).toBe(404);
    expect((await t.client().post('/api/v1/email-changes/confirm', { token: 'bad token!' })).statusCode).toBe(400);
    expect((await t.client().get('/api/v1/email-changes/short')).statusCode).toBe(400);
  });
});
