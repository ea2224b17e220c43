import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealError } from '../../src/crypto/seal.js';
import { totpAssociatedData } from '../../src/services/mfa/shared.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, decodeBase32, freshCode, passSecondFactor, totp, turnOnMfa } from '../helpers/mfa.js';
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
import { testClock } from '../helpers/clock.js';

let t: TestApp;
let owner: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });
const events = async (action: string) => {
  const rows = await t.database.db
    .selectFrom('activity_events')
    .select(['action', 'actor_id', 'target_id', 'details'])
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ ...row, details: row.details as Record<string, unknown> }));
};
const userIdOf = async (client: TestClient) => (await me(client)).user.id;

/** Moves this user's identity confirmations back, as if the 5 minutes had passed. */
async function ageIdentityConfirmation(userId: string, minutes: number) {
  await t.database.db
    .updateTable('sessions')
    .set({ identity_confirmed_at: new Date(testClock.now() - minutes * 60_000) })
    .where('user_id', '=', userId)
    .execute();
}

/** A member added by the owner accepts the terms, as their first sign-in asks. */
async function acceptTerms(client: TestClient) {
  const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
  const accepted = await client.post('/api/v1/terms/accept', { version: terms.version });
  expect(accepted.statusCode, accepted.body).toBe(204);
}

/** An invited guest who finished the first sign-in (Change Password, terms). */
async function makeGuest(email = 'gail@agency.test') {
  const ownerId = await userIdOf(owner);
  const partner = await createPartner(owner, 'Agency', email, [ownerId]);
  const guest = await completeFirstSignIn(t, await readInvitation(owner, email));
  return { guest, guestId: await userIdOf(guest), partnerId: partner.id };
}

describe('turning on TOTP', () => {
  it('enrols with a QR code and a key, keeps the secret sealed, explains a wrong code, and confirms with the first code', async () => {
    expect((await owner.get('/api/v1/mfa')).json()).toEqual({ totp: false, passkeys: 0, recoveryCodes: 0 });

    const setup = await owner.post('/api/v1/mfa/totp/setup');
    expect(setup.statusCode, setup.body).toBe(200);
    const { key, uri, qrCode } = setup.json() as { key: string; uri: string; qrCode: string };
    expect(key).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = key.replace(/\s/g, '');
    expect(decodeBase32(secret)).toHaveLength(20);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.host).toBe('totp');
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('issuer')).toBe(`Gatehouse (${OWNER.workspaceName})`);
    expect(decodeURIComponent(parsed.pathname)).toBe(`/Gatehouse (${OWNER.workspaceName}):${OWNER.email}`);
    expect(qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]{200,}$/);

    // The row waits for its first code, and holds the secret sealed, not in clear nor in base32 bytes.
    const row = await t.database.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('kind', '=', 'totp')
      .executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
    expect(row.totp_sealed_secret).toMatch(/^v1:/);
    expect(row.totp_sealed_secret).not.toContain(secret);
    expect(row.totp_sealed_secret).not.toContain(decodeBase32(secret).toString('base64url'));
    expect(row.totp_sealed_secret).not.toContain(decodeBase32(secret).toString('hex'));

    // A code for another moment (as from a phone whose clock is far off) is refused with a clear hint.
    const wrong = await owner.post('/api/v1/mfa/totp/confirm', {
      code: totp(decodeBase32(secret), Date.now() - 10 * 60_000),
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ type: '/api/problems/totp-code-invalid' });
    expect(wrong.json().detail).toMatch(/phone's clock/);
    expect((await owner.get('/api/v1/mfa')).json().totp).toBe(false);
    const malformed = await owner.post('/api/v1/mfa/totp/confirm', { code: '12ab' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().detail).toMatch(/6-digit/);

    const confirmed = await owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(secret) });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const { recoveryCodes, me: renewed } = confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(renewed.assurance.mfaEnabled).toBe(true);
    expect(renewed.pending.secondFactor).toBe(false);
    expect(renewed.assurance.identityConfirmedUntil).not.toBeNull();
    expect((await owner.get('/api/v1/mfa')).json()).toEqual({ totp: true, passkeys: 0, recoveryCodes: 10 });
    // Recovery codes are kept hashed only.
    const stored = await t.database.db.selectFrom('recovery_codes').select('code_hash').execute();
    for (const code of recoveryCodes as string[]) expect(stored.map((s) => s.code_hash).join()).not.toContain(code);

    const [turnedOn] = await events('mfa.turned_on');
    expect(turnedOn?.details).toEqual({ method: 'totp', replacedPrevious: false });
    expect(JSON.stringify(await events('auth.second_factor_failed'))).not.toContain(secret);
  });

  it('keeps the key waiting for its first code across reloads, and names a code from a key set aside by Start over', async () => {
    const keyOf = (response: { json: () => unknown }) => (response.json() as { key: string }).key.replace(/\s/g, '');
    const first = await owner.post('/api/v1/mfa/totp/setup');
    expect(first.json()).toMatchObject({ resumed: false });
    // The page reloaded (or opened in another tab): the same key, so the entry already scanned still works.
    const again = await owner.post('/api/v1/mfa/totp/setup');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ resumed: true });
    expect(keyOf(again)).toBe(keyOf(first));

    // Start over: a new key; a code from the first one is recognised and explained, not blamed on the clock.
    const restarted = await owner.post('/api/v1/mfa/totp/setup', { startOver: true });
    expect(restarted.json()).toMatchObject({ resumed: false });
    const newKey = keyOf(restarted);
    expect(newKey).not.toBe(keyOf(first));
    expect((await owner.post('/api/v1/mfa/totp/setup')).json()).toMatchObject({ resumed: true });
    expect(keyOf(await owner.post('/api/v1/mfa/totp/setup'))).toBe(newKey);
    const fromOld = await owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(keyOf(first)) });
    expect(fromOld.statusCode).toBe(422);
    expect(fromOld.json()).toMatchObject({
      type: '/api/problems/totp-code-invalid',
      errors: [{ path: 'code', message: expect.stringContaining('earlier key you set aside') }],
    });
    expect(fromOld.json().detail).not.toMatch(/clock/);
    expect((await events('mfa.setup_restarted')).map((e) => e.details)).toEqual([{ method: 'totp' }]);

    // The new key's code turns MFA on; the key set aside is gone with it.
    const confirmed = await owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(newKey) });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const totpRows = await t.database.db
      .selectFrom('mfa_factors')
      .select('confirmed_at')
      .where('kind', '=', 'totp')
      .execute();
    expect(totpRows).toHaveLength(1);
    expect(totpRows[0]!.confirmed_at).not.toBeNull();
  });

  it('Cancel drops the key waiting for its first code; the next start makes a new one', async () => {
    const first = (await owner.post('/api/v1/mfa/totp/setup')).json() as { key: string };
    const cancelled = await del(owner, '/api/v1/mfa/totp/setup');
    expect(cancelled.statusCode, cancelled.body).toBe(204);
    expect(await t.database.db.selectFrom('mfa_factors').select('id').execute()).toEqual([]);
    expect((await events('mfa.setup_cancelled')).map((e) => e.details)).toEqual([{ method: 'totp' }]);
    const refused = await owner.post('/api/v1/mfa/totp/confirm', {
      code: await freshCode(first.key.replace(/\s/g, '')),
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toBe('/api/problems/totp-enrolment-not-started');
    const next = (await owner.post('/api/v1/mfa/totp/setup')).json() as { key: string; resumed: boolean };
    expect(next.resumed).toBe(false);
    expect(next.key).not.toBe(first.key);
  });

  it('a sealed secret opens only for its own user and row', async () => {
    const { secret } = await turnOnMfa(owner);
    const row = await t.database.db
      .selectFrom('mfa_factors')
      .select(['id', 'user_id', 'totp_sealed_secret'])
      .executeTakeFirstOrThrow();
    const workspaceId = (await owner.get('/api/v1/auth/session')).json().workspace.id as string;
    const openAs = (userId: string, factorId: string) =>
      t.app.keyring.open(t.database.db, workspaceId, row.totp_sealed_secret!, totpAssociatedData(userId, factorId));
    expect(await openAs(row.user_id, row.id)).toBe(secret);
    const otherUser = await addMember(owner, 'mia@acme.test');
    await expect(openAs(otherUser, row.id)).rejects.toThrow(SealError);
    await expect(openAs(row.user_id, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(SealError);
  });

  it('changing an authenticator needs a confirmed identity, and the new one replaces the old', async () => {
    const first = await turnOnMfa(owner);
    await ageIdentityConfirmation(await userIdOf(owner), 6);
    const refused = await owner.post('/api/v1/mfa/totp/setup');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/identity-confirmation-required');

    await confirmIdentity(owner, first.secret);
    const second = await turnOnMfa(owner);
    expect(second.recoveryCodes).toBeNull(); // not the first factor: the codes stay as they were
    expect((await owner.get('/api/v1/mfa')).json()).toEqual({ totp: true, passkeys: 0, recoveryCodes: 10 });
    expect((await events('mfa.turned_on')).map((e) => e.details.replacedPrevious)).toEqual([false, true]);
    // Only the new authenticator works now.
    const again = await signIn(t, OWNER.email, OWNER.password);
    const old = await again.post('/api/v1/auth/second-factor', { code: await freshCode(first.secret) });
    expect(old.statusCode).toBe(422);
    await passSecondFactor(again, second.secret);
  });
});

describe('signing in with a second factor', () => {
  it('asks for the second factor after the password and refuses every other route until then', async () => {
    const { secret } = await turnOnMfa(owner);
    const client = await signIn(t, OWNER.email, OWNER.password);
    const session = (await client.get('/api/v1/auth/session')).json();
    expect(session.pending.secondFactor).toBe(true);
    expect((await client.get('/api/v1/auth/second-factor/methods')).json()).toEqual({
      totp: true,
      passkey: false,
      recoveryCode: true,
    });

    // Walk every documented operation: each answers second-factor-required unless it belongs to signing
    // in itself (auth, the verification page's passkey ceremony) or is public.
    const doc = (await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const beforeSecondFactor = [
      /^\/api\/v1\/auth\//,
      /^\/api\/v1\/setup$/,
      /^\/api\/v1\/workspaces\/\{slug\}(\/oidc\/start|\/sso\/start)?$/,
      /^\/api\/v1\/invitations\/by-token\//,
      /^\/api\/v1\/member-invitations\//,
      /^\/api\/v1\/email-changes\//,
      /^\/api\/v1\/oidc\//,
      /^\/api\/v1\/saml\//,
      /^\/api\/v1\/mfa\/passkeys\/(authentication-options|verify)$/,
    ];
    const walked: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || beforeSecondFactor.some((allowed) => allowed.test(path))) continue;
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      for (const method of Object.keys(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const upper = method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        const response = await client.request({ method: upper, url, ...(upper === 'GET' ? {} : { payload: {} }) });
        const type = response.json().type as string;
        // Body validation runs before the gate: a refused body is no access either.
        const acceptable = ['/api/problems/second-factor-required'];
        if (upper !== 'GET' && upper !== 'DELETE') acceptable.push('/api/problems/validation-failed');
        expect(acceptable, `${method} ${path} answered ${response.statusCode} ${response.body}`).toContain(type);
        walked.push(`${method} ${path}`);
      }
    }
    expect(walked).toEqual(
      expect.arrayContaining(['get /api/v1/members', 'get /api/v1/mfa', 'delete /api/v1/mfa/totp']),
    );
    expect(walked.length).toBeGreaterThan(15);

    const wrong = await client.post('/api/v1/auth/second-factor', { code: '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().type).toBe('/api/problems/totp-code-invalid');

    const before = client.cookie(t.app.sessionCookieName);
    expect(before).toBeTruthy();
    const passed = await client.post('/api/v1/auth/second-factor', { code: await freshCode(secret) });
    expect(passed.statusCode, passed.body).toBe(200);
    expect(passed.json().pending.secondFactor).toBe(false);
    expect((await client.get('/api/v1/members')).statusCode).toBe(200);
    // The token was replaced: whoever held the pre-verification one holds nothing.
    expect(client.cookie(t.app.sessionCookieName)).not.toBe(before);
    const failed = await events('auth.second_factor_failed');
    expect(failed.map((e) => e.details)).toEqual([{ method: 'totp', purpose: 'sign-in' }]);
    expect((await events('auth.second_factor_passed')).map((e) => e.details)).toEqual([{ method: 'totp' }]);
  });

  it('refuses a replayed code even inside its window', async () => {
    const { secret } = await turnOnMfa(owner);
    const first = await signIn(t, OWNER.email, OWNER.password);
    const code = await freshCode(secret);
    expect((await first.post('/api/v1/auth/second-factor', { code })).statusCode).toBe(200);

    const second = await signIn(t, OWNER.email, OWNER.password);
    const replayed = await second.post('/api/v1/auth/second-factor', { code });
    expect(replayed.statusCode).toBe(422);
    expect(replayed.json().type).toBe('/api/problems/totp-code-invalid');
    expect((await second.get('/api/v1/auth/session')).json().pending.secondFactor).toBe(true);
    await passSecondFactor(second, secret);
  });

  it('accepts each recovery code once, and regenerating voids the old ones', async () => {
    const { secret, recoveryCodes } = await turnOnMfa(owner);
    const [firstCode, secondCode] = recoveryCodes as [string, string];
    const client = await signIn(t, OWNER.email, OWNER.password);
    // Typed loosely: upper case, without the dash.
    const used = await client.post('/api/v1/auth/second-factor', {
      recoveryCode: firstCode.replace('-', '').toUpperCase(),
    });
    expect(used.statusCode, used.body).toBe(200);
    expect((await events('mfa.recovery_code_used')).map((e) => e.details)).toEqual([{ remaining: 9 }]);
    expect((await client.get('/api/v1/mfa')).json().recoveryCodes).toBe(9);

    const again = await signIn(t, OWNER.email, OWNER.password);
    const reused = await again.post('/api/v1/auth/second-factor', { recoveryCode: firstCode });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().type).toBe('/api/problems/recovery-code-invalid');
    await passSecondFactor(again, secret);

    await ageIdentityConfirmation(await userIdOf(again), 6);
    const needsIdentity = await again.post('/api/v1/mfa/recovery-codes');
    expect(needsIdentity.json().type).toBe('/api/problems/identity-confirmation-required');
    await confirmIdentity(again, secret);
    const regenerated = await again.post('/api/v1/mfa/recovery-codes');
    expect(regenerated.statusCode, regenerated.body).toBe(200);
    const fresh = regenerated.json().recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(secondCode);
    expect(await events('mfa.recovery_codes_regenerated')).toHaveLength(1);

    const third = await signIn(t, OWNER.email, OWNER.password);
    expect((await third.post('/api/v1/auth/second-factor', { recoveryCode: secondCode })).statusCode).toBe(422);
    expect((await third.post('/api/v1/auth/second-factor', { recoveryCode: fresh[0] })).statusCode).toBe(200);
  });

  it('locks the second factor after the allowed failures, whatever the code', async () => {
    const { secret } = await turnOnMfa(owner);
    const client = await signIn(t, OWNER.email, OWNER.password);
    for (let i = 0; i < 5; i++) {
      const wrong = await client.post('/api/v1/auth/second-factor', { code: '000000' });
      expect(wrong.statusCode, `failure ${i + 1}`).toBe(422);
    }
    const locked = await client.post('/api/v1/auth/second-factor', { code: await freshCode(secret) });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().type).toBe('/api/problems/too-many-attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const recovery = await client.post('/api/v1/auth/second-factor', { recoveryCode: 'aaaaa-bbbbb' });
    expect(recovery.statusCode).toBe(429);
    expect((await client.get('/api/v1/auth/session')).json().pending.secondFactor).toBe(true);
    const failures = await events('auth.second_factor_failed');
    expect(failures).toHaveLength(5);
    expect(failures[4]?.details.lockoutSeconds).toBeGreaterThan(0);
    expect((await events('auth.lockout_started')).map((e) => e.details)).toEqual([
      { scope: 'second-factor', on: ['user'], seconds: 60 },
    ]);
  });
});

describe('Confirm your identity', () => {
  it('turning TOTP off needs a second factor within the last 5 minutes', async () => {
    const { secret, recoveryCodes } = await turnOnMfa(owner);
    const ownerId = await userIdOf(owner);
    await ageIdentityConfirmation(ownerId, 6);
    const session = (await owner.get('/api/v1/auth/session')).json();
    expect(session.assurance.identityConfirmedUntil).toBeNull();
    const refused = await del(owner, '/api/v1/mfa/totp');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/identity-confirmation-required');

    const wrong = await owner.post('/api/v1/mfa/confirm-identity', { code: '000000' });
    expect(wrong.statusCode).toBe(422);
    const confirmed = await owner.post('/api/v1/mfa/confirm-identity', { recoveryCode: recoveryCodes[0] });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const until = Date.parse(confirmed.json().assurance.identityConfirmedUntil);
    expect(until - testClock.now()).toBeGreaterThan(4 * 60_000);
    expect(until - testClock.now()).toBeLessThanOrEqual(5 * 60_000);

    // 4 minutes later it still holds; 6 minutes later it does not.
    await ageIdentityConfirmation(ownerId, 6);
    expect((await del(owner, '/api/v1/mfa/totp')).statusCode).toBe(403);
    await confirmIdentity(owner, secret);
    await ageIdentityConfirmation(ownerId, 4);
    const off = await del(owner, '/api/v1/mfa/totp');
    expect(off.statusCode, off.body).toBe(204);
    expect((await owner.get('/api/v1/mfa')).json()).toEqual({ totp: false, passkeys: 0, recoveryCodes: 0 });
    expect((await events('mfa.turned_off')).map((e) => e.details)).toEqual([{ method: 'totp', remainingFactors: 0 }]);
    expect((await events('auth.identity_confirmed')).length).toBeGreaterThanOrEqual(3);
    // With MFA off, the next sign-in asks for no second factor.
    const again = await signIn(t, OWNER.email, OWNER.password);
    expect((await again.get('/api/v1/auth/session')).json().pending.secondFactor).toBe(false);
  });
});

describe('Reset MFA', () => {
  it('an admin removes a guest’s factors, ends their sessions and mails them; they must enrol again', async () => {
    await turnOnMfa(owner);
    const { guest, guestId } = await makeGuest();
    const guestMfa = await turnOnMfa(guest);
    expect((await owner.get(`/api/v1/members/${guestId}/mfa`)).json()).toEqual({
      totp: true,
      passkeys: 0,
      recoveryCodes: 10,
    });

    const reset = await owner.post(`/api/v1/members/${guestId}/reset-mfa`);
    expect(reset.statusCode, reset.body).toBe(204);
    // The guest's session is over at its very next request.
    expect((await guest.get('/api/v1/auth/session')).statusCode).toBe(401);
    const outbox = (await owner.get('/api/v1/dev/outbox')).json().messages as Array<{
      to: string;
      subject: string;
      text: string;
    }>;
    const mail = outbox.find((m) => m.to === 'gail@agency.test' && /reset/.test(m.subject));
    expect(mail?.subject).toBe('Your multi-factor authentication on Gatehouse was reset');
    expect(mail?.text).toContain(`${OWNER.displayName} reset your multi-factor authentication`);
    expect(mail?.text).toContain(`/w/${OWNER.slug}/sign-in`);
    const [event] = await events('mfa.reset');
    expect(event).toMatchObject({
      target_id: guestId,
      details: { totpRemoved: true, passkeysRemoved: 0, recoveryCodesRemoved: 10 },
    });

    // Signing in again asks for no second factor (none is left) and MFA must be turned on again.
    const back = await signIn(t, 'gail@agency.test', GUEST_PASSWORD);
    const session = (await back.get('/api/v1/auth/session')).json();
    expect(session.pending.secondFactor).toBe(false);
    expect(session.assurance).toMatchObject({ mfaRequired: true, mfaEnabled: false });
    expect((await back.get('/api/v1/mfa')).json()).toEqual({ totp: false, passkeys: 0, recoveryCodes: 0 });
    const oldCode = await back.post('/api/v1/mfa/confirm-identity', { code: await freshCode(guestMfa.secret) });
    expect(oldCode.statusCode).toBe(409);
    const reenrolled = await turnOnMfa(back);
    expect(reenrolled.recoveryCodes).toHaveLength(10);
  });

  it('a host admin may reset their guests; a plain member or a guest may not, and the admin confirms their identity', async () => {
    await turnOnMfa(owner);
    const hostId = await addMember(owner, 'hugo@acme.test');
    await addMember(owner, 'mia@acme.test');
    const ownerId = await userIdOf(owner);
    const partner = await createPartner(owner, 'Agency', 'gail@agency.test', [ownerId, hostId]);
    const guestAdmin = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    const guestAdminId = await userIdOf(guestAdmin);
    await turnOnMfa(guestAdmin);
    const invited = await guestAdmin.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gus@agency.test' });
    expect(invited.statusCode, invited.body).toBe(201);
    const guestUser = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
      givenName: 'Gus',
      familyName: 'User',
    });
    const guestUserId = await userIdOf(guestUser);
    await turnOnMfa(guestUser);

    // A plain member (MFA on, identity fresh) and a guest admin are refused.
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    await acceptTerms(mia);
    await turnOnMfa(mia);
    const byMember = await mia.post(`/api/v1/members/${guestUserId}/reset-mfa`);
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json().type).toBe('/api/problems/forbidden');
    // A guest admin does not see the workspace's people, so is told nothing, not even that they exist.
    const byGuestAdmin = await guestAdmin.post(`/api/v1/members/${guestUserId}/reset-mfa`);
    expect(byGuestAdmin.statusCode).toBe(404);
    expect((await guestAdmin.get(`/api/v1/members/${guestUserId}/mfa`)).statusCode).toBe(404);
    // Nobody resets their own.
    expect((await owner.post(`/api/v1/members/${ownerId}/reset-mfa`)).statusCode).toBe(403);
    // An unknown person is not found.
    expect((await owner.post('/api/v1/members/00000000-0000-4000-8000-000000000000/reset-mfa')).statusCode).toBe(404);

    // The host admin, without MFA, is first sent to turn it on; then to confirm their identity.
    const hugo = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
    await acceptTerms(hugo);
    expect((await hugo.post(`/api/v1/members/${guestUserId}/reset-mfa`)).json().type).toBe(
      '/api/problems/mfa-required',
    );
    const hugoMfa = await turnOnMfa(hugo);
    await ageIdentityConfirmation(hostId, 6);
    expect((await hugo.post(`/api/v1/members/${guestUserId}/reset-mfa`)).json().type).toBe(
      '/api/problems/identity-confirmation-required',
    );
    await confirmIdentity(hugo, hugoMfa.secret);
    // A host admin may not reset a workspace member.
    expect((await hugo.post(`/api/v1/members/${ownerId}/reset-mfa`)).statusCode).toBe(403);
    expect((await hugo.post(`/api/v1/members/${guestUserId}/reset-mfa`)).statusCode).toBe(204);
    expect((await hugo.post(`/api/v1/members/${guestAdminId}/reset-mfa`)).statusCode).toBe(204);
    expect((await events('mfa.reset')).map((e) => [e.actor_id, e.target_id])).toEqual([
      [hostId, guestUserId],
      [hostId, guestAdminId],
    ]);
  });
});
