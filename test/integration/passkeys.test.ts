import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { SoftwareAuthenticator, type CeremonyOverrides } from '../helpers/webauthn.js';
import { testClock } from '../helpers/clock.js';

// createTestApp leaves GATEHOUSE_PUBLIC_URL at its default, so the RP is localhost:3000.
const ORIGIN = 'http://localhost:3000';

let t: TestApp;
let owner: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

const patch = (client: TestClient, url: string, payload: unknown) => client.request({ method: 'PATCH', url, payload });
const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });
const problemType = (response: { json(): unknown }) => (response.json() as { type: string }).type;

async function session(client: TestClient) {
  const response = await client.get('/api/v1/auth/session');
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    user: { id: string };
    pending: { secondFactor: boolean };
    assurance: { mfaEnabled: boolean; identityConfirmedUntil: string | null };
  };
}

async function addPasskey(
  client: TestClient,
  authenticator: SoftwareAuthenticator,
  name: string,
  overrides?: CeremonyOverrides,
) {
  const options = await client.post('/api/v1/mfa/passkeys/registration-options');
  expect(options.statusCode, options.body).toBe(200);
  return client.post('/api/v1/mfa/passkeys', { name, response: authenticator.register(options.json(), overrides) });
}

async function usePasskey(
  client: TestClient,
  authenticator: SoftwareAuthenticator,
  purpose: 'sign-in' | 'identity',
  overrides?: CeremonyOverrides,
) {
  const options = await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose });
  expect(options.statusCode, options.body).toBe(200);
  return client.post('/api/v1/mfa/passkeys/verify', {
    purpose,
    response: authenticator.authenticate(options.json(), overrides),
  });
}

async function events(userId: string) {
  const rows = await t.database.db
    .selectFrom('activity_events')
    .select(['action', 'details'])
    .where('target_id', '=', userId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

/** Makes the session's identity confirmation older than the 5 minutes sensitive actions accept. */
async function ageIdentityConfirmation(userId: string) {
  await t.database.db
    .updateTable('sessions')
    .set({ identity_confirmed_at: new Date(testClock.now() - 6 * 60_000) })
    .where('user_id', '=', userId)
    .execute();
}

/** A workspace member, signed in, past the terms of service. */
async function newMember(email: string) {
  await addMember(owner, email);
  const client = await signIn(t, email, MEMBER_PASSWORD);
  const accepted = await client.post('/api/v1/terms/accept', { version: 1 });
  expect(accepted.statusCode, accepted.body).toBe(204);
  return client;
}

/** A member with a passkey, signed in again with the password only (on the verification page). */
async function memberOnVerificationPage(email: string) {
  const first = await newMember(email);
  const authenticator = new SoftwareAuthenticator(ORIGIN);
  const added = await addPasskey(first, authenticator, 'Laptop');
  expect(added.statusCode, added.body).toBe(201);
  const client = await signIn(t, email, MEMBER_PASSWORD);
  expect((await session(client)).pending.secondFactor).toBe(true);
  return { client, authenticator, userId: (await session(first)).user.id };
}

describe('adding a passkey as the first factor', () => {
  it('turns MFA on, returns ten recovery codes once, and counts the session as verified', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await owner.post('/api/v1/mfa/passkeys/registration-options');
    expect(options.statusCode, options.body).toBe(200);
    const body = options.json();
    expect(body.rp).toEqual({ id: 'localhost', name: 'Gatehouse' });
    expect(body.user.name).toBe(OWNER.email);
    expect(body.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(body.excludeCredentials).toEqual([]);

    const added = await owner.post('/api/v1/mfa/passkeys', {
      name: '  Ada’s YubiKey  ',
      response: authenticator.register(body),
    });
    expect(added.statusCode, added.body).toBe(201);
    const result = added.json();
    expect(result.passkey).toMatchObject({ name: 'Ada’s YubiKey', lastUsedAt: null });
    expect(result.recoveryCodes).toHaveLength(10);
    expect(new Set(result.recoveryCodes).size).toBe(10);

    const me = await session(owner);
    expect(me.pending.secondFactor).toBe(false);
    expect(me.assurance.mfaEnabled).toBe(true);
    expect(me.assurance.identityConfirmedUntil).not.toBeNull();
    expect(await events(me.user.id)).toEqual(
      expect.arrayContaining(['mfa.passkey_added', 'mfa.turned_on', 'auth.identity_confirmed']),
    );

    const stored = await t.database.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('user_id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      kind: 'passkey',
      credential_id: Buffer.from(authenticator.credentials[0]!.id).toString('base64url'),
      public_key: authenticator.credentials[0]!.cosePublicKey.toString('base64url'),
      transports: ['internal'],
    });
    expect(stored.confirmed_at).not.toBeNull();
    const codes = await t.database.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', me.user.id)
      .execute();
    expect(codes).toHaveLength(10);
    expect(codes.map((c) => c.code_hash)).not.toContain(result.recoveryCodes[0]);

    const list = (await owner.get('/api/v1/mfa/passkeys')).json().passkeys;
    expect(list).toEqual([
      { id: result.passkey.id, name: 'Ada’s YubiKey', createdAt: expect.any(String), lastUsedAt: null },
    ]);
  });

  it('gives the same user handle every time and excludes the passkeys already added', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const first = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    await owner.post('/api/v1/mfa/passkeys', { name: 'One', response: authenticator.register(first) });
    const second = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    expect(second.user.id).toBe(first.user.id);
    expect(second.excludeCredentials).toEqual([
      expect.objectContaining({ id: Buffer.from(authenticator.credentials[0]!.id).toString('base64url') }),
    ]);
    expect(second.challenge).not.toBe(first.challenge);
  });
});

describe('signing in with a passkey', () => {
  it('finishes the verification page: new session token, sign count and last use stored', async () => {
    const { client, authenticator, userId } = await memberOnVerificationPage('mia@acme.test');
    const refused = await client.get('/api/v1/mfa/passkeys');
    expect(refused.statusCode).toBe(403);
    expect(problemType(refused)).toMatch(/second-factor-required$/);

    const before = client.cookie('gatehouse_session');
    const options = await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' });
    expect(options.statusCode, options.body).toBe(200);
    expect(options.json().allowCredentials).toEqual([
      expect.objectContaining({ id: Buffer.from(authenticator.credentials[0]!.id).toString('base64url') }),
    ]);
    const verified = await client.post('/api/v1/mfa/passkeys/verify', {
      purpose: 'sign-in',
      response: authenticator.authenticate(options.json()),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().pending.secondFactor).toBe(false);
    const after = client.cookie('gatehouse_session');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect((await client.get('/api/v1/mfa/passkeys')).statusCode).toBe(200);

    // Whoever held the token from before the second factor holds nothing now.
    const stale = t.client();
    stale.setCookie('gatehouse_session', before!);
    expect((await stale.get('/api/v1/auth/session')).statusCode).toBe(401);

    const factor = await t.database.db
      .selectFrom('mfa_factors')
      .select(['sign_count', 'last_used_at'])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(Number(factor.sign_count)).toBe(1);
    expect(factor.last_used_at).not.toBeNull();
    expect(await events(userId)).toContain('auth.second_factor_passed');
  });

  it('refuses a signature counter that did not move forward (a cloned key)', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    expect((await usePasskey(client, authenticator, 'sign-in')).statusCode).toBe(200);
    const again = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    const stale = await usePasskey(again, authenticator, 'sign-in', { signCount: 1 });
    expect(stale.statusCode, stale.body).toBe(400);
    expect(problemType(stale)).toMatch(/passkey-not-verified$/);
    expect((await session(again)).pending.secondFactor).toBe(true);
    expect((await usePasskey(again, authenticator, 'sign-in')).statusCode).toBe(200);
  });

  it('refuses another user’s credential, even a valid one', async () => {
    const { client } = await memberOnVerificationPage('mia@acme.test');
    const other = await memberOnVerificationPage('otto@acme.test');
    const options = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' })).json();
    const response = other.authenticator.authenticate(options, { credential: other.authenticator.credentials[0]! });
    const refused = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(problemType(refused)).toMatch(/passkey-not-verified$/);
    expect((await session(client)).pending.secondFactor).toBe(true);
  });

  it('refuses an answer made for another origin or RP ID (a phishing page)', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    for (const overrides of [
      { origin: 'http://localhost:3001' },
      { origin: 'https://evil.test' },
      { rpId: 'evil.test' },
    ]) {
      const refused = await usePasskey(client, authenticator, 'sign-in', overrides);
      expect(refused.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(problemType(refused)).toMatch(/passkey-not-verified$/);
    }
    expect((await session(client)).pending.secondFactor).toBe(true);
  });

  it('refuses an answer without user presence', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const refused = await usePasskey(client, authenticator, 'sign-in', { withoutUserPresence: true });
    expect(refused.statusCode).toBe(400);
  });

  it('will not confirm an identity the session has not proved at sign-in', async () => {
    const { client } = await memberOnVerificationPage('mia@acme.test');
    const refused = await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'identity' });
    expect(refused.statusCode).toBe(403);
    expect(problemType(refused)).toMatch(/second-factor-required$/);
  });

  it('answers no-passkeys to a user who has none', async () => {
    const refused = await owner.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'identity' });
    expect(refused.statusCode).toBe(409);
    expect(problemType(refused)).toMatch(/no-passkeys$/);
  });

  it('counts failures as second-factor attempts and locks out after five', async () => {
    const { client, authenticator, userId } = await memberOnVerificationPage('mia@acme.test');
    for (let i = 0; i < 5; i++) {
      const refused = await usePasskey(client, authenticator, 'sign-in', { origin: 'https://evil.test' });
      expect(refused.statusCode).toBe(400);
    }
    const locked = await usePasskey(client, authenticator, 'sign-in');
    expect(locked.statusCode, locked.body).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await session(client)).pending.secondFactor).toBe(true);
    const actions = await events(userId);
    expect(actions.filter((a) => a === 'auth.second_factor_failed')).toHaveLength(5);
    expect(actions).toContain('auth.lockout_started');
  });
});

describe('challenges', () => {
  it('refuses an answer when no challenge was issued', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const response = authenticator.authenticate({ challenge: 'bm90LWlzc3VlZA', rpId: 'localhost' });
    const refused = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response });
    expect(refused.statusCode).toBe(400);
    expect(problemType(refused)).toMatch(/passkey-challenge-expired$/);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);

    const registration = await owner.post('/api/v1/mfa/passkeys', {
      name: 'Key',
      response: new SoftwareAuthenticator(ORIGIN).register({
        challenge: 'bm90LWlzc3VlZA',
        rp: { id: 'localhost', name: 'Gatehouse' },
        user: { id: 'dQ', name: 'x', displayName: 'x' },
      }),
    });
    expect(registration.statusCode).toBe(400);
    expect(problemType(registration)).toMatch(/passkey-challenge-expired$/);
  });

  it('uses a challenge once: a replayed answer is refused', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const options = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' })).json();
    const response = authenticator.authenticate(options);
    expect((await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response })).statusCode).toBe(200);
    // Replayed on the session it signed in: that step is done.
    const again = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response });
    expect(problemType(again)).toMatch(/second-factor-not-pending$/);
    // Replayed by whoever copied it, on another session waiting for its second factor.
    const other = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    await other.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' });
    const copied = await other.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response });
    expect(copied.statusCode).toBe(400);
    expect(problemType(copied)).toMatch(/passkey-not-verified$/);

    const identity = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'identity' })).json();
    const confirm = authenticator.authenticate(identity);
    expect(
      (await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'identity', response: confirm })).statusCode,
    ).toBe(200);
    const replayed = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'identity', response: confirm });
    expect(replayed.statusCode).toBe(400);
    expect(problemType(replayed)).toMatch(/passkey-challenge-expired$/);
  });

  it('refuses an old answer against a new challenge', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const first = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' })).json();
    const oldAnswer = authenticator.authenticate(first);
    await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' });
    const refused = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response: oldAnswer });
    expect(refused.statusCode).toBe(400);
    expect(problemType(refused)).toMatch(/passkey-not-verified$/);
  });

  it('refuses a failed answer’s challenge afterwards too', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const options = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' })).json();
    const wrong = authenticator.authenticate(options, { origin: 'https://evil.test' });
    expect((await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response: wrong })).statusCode).toBe(
      400,
    );
    const right = authenticator.authenticate(options);
    const refused = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response: right });
    expect(problemType(refused)).toMatch(/passkey-challenge-expired$/);
  });

  it('refuses an expired challenge (5 minutes)', async () => {
    const { client, authenticator, userId } = await memberOnVerificationPage('mia@acme.test');
    const options = (await client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' })).json();
    await t.database.db
      .updateTable('sessions')
      .set({ webauthn_challenge_expires_at: new Date(testClock.now() - 1000) })
      .where('user_id', '=', userId)
      .where('webauthn_challenge', 'is not', null)
      .execute();
    const refused = await client.post('/api/v1/mfa/passkeys/verify', {
      purpose: 'sign-in',
      response: authenticator.authenticate(options),
    });
    expect(refused.statusCode).toBe(400);
    expect(problemType(refused)).toMatch(/passkey-challenge-expired$/);
  });

  it('keeps each challenge to its ceremony: registration, sign-in and identity are not interchangeable', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    expect((await addPasskey(owner, authenticator, 'Laptop')).statusCode).toBe(201);
    const registration = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    const asAssertion = authenticator.authenticate({ challenge: registration.challenge, rpId: 'localhost' });
    const refused = await owner.post('/api/v1/mfa/passkeys/verify', { purpose: 'identity', response: asAssertion });
    expect(problemType(refused)).toMatch(/passkey-challenge-expired$/);

    // Identity options, then a registration: the identity challenge is gone, replaced by the new one.
    const identity = (await owner.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'identity' })).json();
    await owner.post('/api/v1/mfa/passkeys/registration-options');
    const late = await owner.post('/api/v1/mfa/passkeys/verify', {
      purpose: 'identity',
      response: authenticator.authenticate(identity),
    });
    expect(problemType(late)).toMatch(/passkey-challenge-expired$/);

    // A session past its second factor has no sign-in step left to finish.
    const signIn = await owner.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' });
    expect(signIn.statusCode).toBe(409);
    expect(problemType(signIn)).toMatch(/second-factor-not-pending$/);
  });
});

describe('identity confirmation', () => {
  it('is needed to add a second factor and to remove one, and a passkey gives it', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const first = await addPasskey(owner, authenticator, 'Laptop');
    const firstId = first.json().passkey.id;
    const userId = (await session(owner)).user.id;
    await ageIdentityConfirmation(userId);

    const options = await owner.post('/api/v1/mfa/passkeys/registration-options');
    expect(options.statusCode).toBe(403);
    expect(problemType(options)).toMatch(/identity-confirmation-required$/);
    const removal = await del(owner, `/api/v1/mfa/passkeys/${firstId}`);
    expect(removal.statusCode).toBe(403);
    expect(problemType(removal)).toMatch(/identity-confirmation-required$/);

    const confirmed = await usePasskey(owner, authenticator, 'identity');
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().assurance.identityConfirmedUntil).not.toBeNull();

    const second = await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'Phone');
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().recoveryCodes).toBeNull();
    const actions = await events(userId);
    expect(actions.filter((a) => a === 'mfa.turned_on')).toHaveLength(1);
    expect(actions.filter((a) => a === 'mfa.passkey_added')).toHaveLength(2);
    expect(actions).toContain('auth.identity_confirmed');
  });

  it('is checked again when the new passkey arrives, not only when the options are given', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    await addPasskey(owner, authenticator, 'Laptop');
    const options = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    await ageIdentityConfirmation((await session(owner)).user.id);
    const late = await owner.post('/api/v1/mfa/passkeys', {
      name: 'Phone',
      response: new SoftwareAuthenticator(ORIGIN).register(options),
    });
    expect(late.statusCode).toBe(403);
    expect(problemType(late)).toMatch(/identity-confirmation-required$/);
  });
});

describe('naming, renaming and removing', () => {
  it('applies the name rules: 1–100 printable characters, unique per user ignoring case', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    for (const name of ['', '   ', 'x'.repeat(101), 'line\nbreak', 'tab\there', 'nul\u0000']) {
      const refused = await addPasskey(owner, authenticator, name);
      expect(refused.statusCode, JSON.stringify(name)).toBe(400);
      expect(problemType(refused)).toMatch(/validation-failed$/);
    }
    authenticator.credentials.length = 0;
    expect((await addPasskey(owner, authenticator, 'x'.repeat(100))).statusCode).toBe(201);
    const laptop = await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'Laptop');
    expect(laptop.statusCode, laptop.body).toBe(201);
    const taken = await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'LAPTOP');
    expect(taken.statusCode).toBe(409);
    expect(problemType(taken)).toMatch(/passkey-name-taken$/);

    // Another user may use the same name.
    const mia = await newMember('mia@acme.test');
    expect((await addPasskey(mia, new SoftwareAuthenticator(ORIGIN), 'Laptop')).statusCode).toBe(201);
  });

  it('renames a passkey, refusing a taken name and another user’s passkey', async () => {
    const one = (await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'One')).json().passkey.id;
    await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'Two');
    const renamed = await patch(owner, `/api/v1/mfa/passkeys/${one}`, { name: 'Work YubiKey' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().name).toBe('Work YubiKey');
    expect((await patch(owner, `/api/v1/mfa/passkeys/${one}`, { name: 'work yubikey' })).statusCode).toBe(200);
    const taken = await patch(owner, `/api/v1/mfa/passkeys/${one}`, { name: 'two' });
    expect(taken.statusCode).toBe(409);
    expect((await patch(owner, `/api/v1/mfa/passkeys/${one}`, { name: '' })).statusCode).toBe(400);
    expect((await patch(owner, '/api/v1/mfa/passkeys/not-an-id', { name: 'x' })).statusCode).toBe(400);

    const mia = await newMember('mia@acme.test');
    const notHers = await patch(mia, `/api/v1/mfa/passkeys/${one}`, { name: 'Mine now' });
    expect(notHers.statusCode).toBe(404);
    expect(await events((await session(owner)).user.id)).toContain('mfa.passkey_renamed');
  });

  it('removes a passkey; removing the last factor turns MFA off and deletes the recovery codes', async () => {
    const one = (await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'One')).json().passkey.id;
    const two = (await addPasskey(owner, new SoftwareAuthenticator(ORIGIN), 'Two')).json().passkey.id;
    const userId = (await session(owner)).user.id;
    const codes = () => t.database.db.selectFrom('recovery_codes').select('id').where('user_id', '=', userId).execute();

    expect((await del(owner, `/api/v1/mfa/passkeys/${one}`)).statusCode).toBe(204);
    expect((await session(owner)).assurance.mfaEnabled).toBe(true);
    expect(await codes()).toHaveLength(10);
    expect((await del(owner, `/api/v1/mfa/passkeys/${one}`)).statusCode).toBe(404);

    expect((await del(owner, `/api/v1/mfa/passkeys/${two}`)).statusCode).toBe(204);
    expect((await session(owner)).assurance.mfaEnabled).toBe(false);
    expect(await codes()).toHaveLength(0);
    expect((await owner.get('/api/v1/mfa/passkeys')).json().passkeys).toEqual([]);
    const actions = await events(userId);
    expect(actions.filter((a) => a === 'mfa.passkey_removed')).toHaveLength(2);
    expect(actions).toContain('mfa.turned_off');
  });

  it('refuses to register the same credential twice, even for another user', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    const response = authenticator.register(options);
    expect((await owner.post('/api/v1/mfa/passkeys', { name: 'One', response })).statusCode).toBe(201);

    const mia = await newMember('mia@acme.test');
    const miaOptions = (await mia.post('/api/v1/mfa/passkeys/registration-options')).json();
    // The same credential (id and key) registered again for Mia: a credential id is unique everywhere.
    const copied = authenticator.register(miaOptions, { credential: authenticator.credentials[0]! });
    const refused = await mia.post('/api/v1/mfa/passkeys', { name: 'One', response: copied });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(problemType(refused)).toMatch(/passkey-already-registered$/);
  });
  it('lets only one of two users register the same credential at the same moment', async () => {
    const mia = await newMember('mia@acme.test');
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const ownerOptions = (await owner.post('/api/v1/mfa/passkeys/registration-options')).json();
    const miaOptions = (await mia.post('/api/v1/mfa/passkeys/registration-options')).json();
    const forOwner = authenticator.register(ownerOptions);
    const forMia = authenticator.register(miaOptions, { credential: authenticator.credentials[0]! });
    const answers = await Promise.all([
      owner.post('/api/v1/mfa/passkeys', { name: 'Key', response: forOwner }),
      mia.post('/api/v1/mfa/passkeys', { name: 'Key', response: forMia }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const stored = await t.database.db.selectFrom('mfa_factors').select('user_id').execute();
    expect(stored).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('answers every malformed answer with a 4xx problem, never a 500', async () => {
    const { client, authenticator } = await memberOnVerificationPage('mia@acme.test');
    const valid = () => client.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'sign-in' });
    const garbage: unknown[] = [
      'garbage',
      null,
      {},
      [],
      { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {}, clientExtensionResults: {} },
      {
        id: 'AAAA',
        rawId: 'AAAA',
        type: 'public-key',
        response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      },
      {
        id: 'AAAA',
        rawId: 'BBBB',
        type: 'public-key',
        response: { clientDataJSON: '!!!', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      },
    ];
    for (const response of garbage) {
      await valid();
      const answer = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response });
      expect(answer.statusCode, JSON.stringify(response)).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode, JSON.stringify(response)).toBeLessThan(500);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    }

    // Structurally fine but with the right credential id and corrupted bytes.
    const options = (await valid()).json();
    const real = authenticator.authenticate(options);
    for (const field of ['clientDataJSON', 'authenticatorData', 'signature'] as const) {
      await valid();
      const broken = {
        ...real,
        response: { ...real.response, [field]: Buffer.from('not what it should be').toString('base64url') },
      };
      const answer = await client.post('/api/v1/mfa/passkeys/verify', { purpose: 'sign-in', response: broken });
      expect(answer.statusCode, field).toBe(400);
    }
  });

  it('answers malformed registrations with a 4xx problem', async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const bodies = [
      { name: 'Key' },
      { name: 'Key', response: 'garbage' },
      {
        name: 'Key',
        response: {
          id: 'AAAA',
          rawId: 'AAAA',
          type: 'public-key',
          response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' },
          clientExtensionResults: {},
        },
      },
    ];
    for (const body of bodies) {
      await owner.post('/api/v1/mfa/passkeys/registration-options');
      const answer = await owner.post('/api/v1/mfa/passkeys', body);
      expect(answer.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode).toBeLessThan(500);
    }
    for (const overrides of [{ origin: 'https://evil.test' }, { rpId: 'evil.test' }, { withoutUserPresence: true }]) {
      const refused = await addPasskey(owner, authenticator, 'Key', overrides);
      expect(refused.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(problemType(refused)).toMatch(/passkey-not-verified$/);
      authenticator.credentials.length = 0;
    }
    expect((await owner.get('/api/v1/mfa/passkeys')).json().passkeys).toEqual([]);
    expect((await session(owner)).assurance.mfaEnabled).toBe(false);
  });

  it('refuses an unknown purpose', async () => {
    const answer = await owner.post('/api/v1/mfa/passkeys/authentication-options', { purpose: 'everything' });
    expect(answer.statusCode).toBe(400);
  });
});
