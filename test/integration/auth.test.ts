import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { testClock } from '../helpers/clock.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('first-run set-up', () => {
  it('offers set-up only while no workspace exists, and signs the owner in', async () => {
    const visitor = t.client();
    expect((await visitor.get('/api/v1/setup')).json()).toEqual({ needsSetup: true });

    const owner = await setUpWorkspace(t);
    const session = await owner.get('/api/v1/auth/session');
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({
      user: { email: OWNER.email, displayName: OWNER.displayName, role: 'owner', status: 'active' },
      workspace: { slug: 'acme', name: 'Acme Inc', mode: 'local' },
    });

    expect((await visitor.get('/api/v1/setup')).json()).toEqual({ needsSetup: false });
    const second = await visitor.post('/api/v1/setup', { ...OWNER, slug: 'other' });
    expect(second.statusCode).toBe(409);
    expect(second.json().type).toBe('/api/problems/already-set-up');
  });

  it('refuses a weak owner password and names the rule', async () => {
    const response = await t.client().post('/api/v1/setup', { ...OWNER, password: 'short' });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toContainEqual({ path: 'password', message: 'Use at least 12 characters.' });
  });
});

describe('signing in and out', () => {
  it('signs in with username and password, case-insensitively on the username', async () => {
    await setUpWorkspace(t);
    const browser = t.client();
    const response = await browser.post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: OWNER.email.toUpperCase(),
      password: OWNER.password,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.email).toBe(OWNER.email);
    const cookie = response.cookies.find((c) => c.name === 'gatehouse_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect((await browser.get('/api/v1/auth/session')).statusCode).toBe(200);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    await setUpWorkspace(t);
    const wrongPassword = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: 'not the password' });
    const unknownUser = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'acme', username: 'nobody@acme.test', password: 'not the password' });
    const unknownWorkspace = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'nope', username: OWNER.email, password: OWNER.password });
    for (const response of [wrongPassword, unknownUser, unknownWorkspace]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        type: '/api/problems/invalid-credentials',
        detail: 'Wrong username or password.',
      });
      expect(response.cookies.find((c) => c.name === 'gatehouse_session')).toBeUndefined();
    }
  });

  it('rotates the session id at sign-in: the session presented before signing in is ended', async () => {
    const owner = await setUpWorkspace(t);
    const before = owner.cookie('gatehouse_session')!;
    await owner.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
    const after = owner.cookie('gatehouse_session')!;
    expect(after).not.toBe(before);

    const stale = t.client();
    stale.setCookie('gatehouse_session', before);
    expect((await stale.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
  });

  it('signing out ends the session on the server, not only in the browser', async () => {
    const owner = await setUpWorkspace(t);
    const token = owner.cookie('gatehouse_session')!;
    const response = await owner.post('/api/v1/auth/sign-out');
    expect(response.statusCode).toBe(204);
    expect(owner.cookie('gatehouse_session')).toBeUndefined();

    const replay = t.client();
    replay.setCookie('gatehouse_session', token);
    expect((await replay.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('ends a session after its idle time-out and after its absolute time-out', async () => {
    const owner = await setUpWorkspace(t);
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
    await t.database.db
      .updateTable('sessions')
      .set({ idle_expires_at: new Date(testClock.now() - 1000) })
      .execute();
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(401);

    await owner.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
    await t.database.db
      .updateTable('sessions')
      .set({ absolute_expires_at: new Date(testClock.now() - 1000) })
      .where('ended_at', 'is', null)
      .execute();
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('stores passwords as argon2id with OWASP parameters, never in clear', async () => {
    await setUpWorkspace(t);
    const user = await t.database.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(user.password_hash).not.toContain(OWNER.password);
  });
});

describe('CSRF protection', () => {
  it('refuses a state change without the token, even with a valid session', async () => {
    const owner = await setUpWorkspace(t);
    const response = await owner.request({ method: 'POST', url: '/api/v1/auth/sign-out', withoutCsrf: true });
    expect(response.statusCode).toBe(403);
    expect(response.json().type).toBe('/api/problems/csrf');
    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
  });

  it('refuses a token that belongs to another browser', async () => {
    const owner = await setUpWorkspace(t);
    const attacker = t.client();
    const foreignToken = (await attacker.get('/api/v1/auth/csrf')).json().token as string;
    const response = await owner.request({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      withoutCsrf: true,
      headers: { 'x-csrf-token': foreignToken },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('activity', () => {
  it('records set-up, sign-in, failed sign-in and sign-out with address and user agent', async () => {
    const owner = await setUpWorkspace(t);
    await t.client({ userAgent: 'Mallory/1.0', ip: '203.0.113.9' }).post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: OWNER.email,
      password: 'wrong password!!',
    });
    await owner.post('/api/v1/auth/sign-out');
    await owner.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
    const events = (await owner.get('/api/v1/activity')).json().events as Array<Record<string, unknown>>;
    const actions = events.map((e) => e.action).reverse();
    expect(actions).toEqual([
      'workspace.created',
      'member.created',
      'terms.published',
      'terms.accepted',
      'auth.signed_in',
      'auth.sign_in_failed',
      'auth.signed_out',
      'auth.signed_in',
    ]);
    const failure = events.find((e) => e.action === 'auth.sign_in_failed')!;
    expect(failure).toMatchObject({ ip: '203.0.113.9', userAgent: 'Mallory/1.0' });
    expect(JSON.stringify(events)).not.toContain('wrong password!!');
    expect(JSON.stringify(events)).not.toContain(OWNER.password);
  });
});
