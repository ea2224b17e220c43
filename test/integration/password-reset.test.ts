import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDevOutbox, type DevOutboxMessage } from '../../src/services/dev-outbox.js';
import { FORGOT_PASSWORD_LIMITS, FORGOT_PASSWORD_MIN_RESPONSE_MS } from '../../src/services/password-reset.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { passSecondFactor, turnOnMfa, type TurnedOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  readInvitation,
} from '../helpers/partners.js';
import { clientAppHeaders, connectClientApp } from '../helpers/vault.js';

/**
 * **Forgot your password?** (SPEC §2a, issue 11): a reset link by email, 30 minutes, single use, for local
 * users and guests; idp members are sent to their IdP. The same answer (and the same time) whether or not
 * the address exists; a reset ends every session and never skips the second factor.
 */

const NEW_PASSWORD = 'a freshly chosen owner password';
const SAME_ANSWER = {
  message:
    'If an account with this address exists, we sent a link to choose a new password. It works for 30 minutes. Check your inbox and spam folder.',
};
const RESET_SUBJECT = 'Reset your Gatehouse password';
const CHANGED_SUBJECT = 'Your Gatehouse password was changed';

let t: TestApp;
let owner: TestClient;
let ownerId: string;
let mfa: TurnedOnMfa;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  mfa = await turnOnMfa(owner);
  ownerId = (await me(owner)).user.id;
});
afterEach(async () => {
  await t.close();
});

/** The workspace's mail, newest first, read as its owner would on the development outbox page. */
async function mails(): Promise<DevOutboxMessage[]> {
  const keys = { masterKey: t.app.masterKey, keyring: t.app.keyring };
  const workspace = await t.database.db
    .selectFrom('workspaces')
    .select('id')
    .where('slug', '=', OWNER.slug)
    .executeTakeFirstOrThrow();
  const actor = { userId: ownerId, workspaceId: workspace.id, role: 'owner', status: 'active' } as const;
  return readDevOutbox(t.database.db, keys, actor, 100);
}

async function resetMailsTo(to: string): Promise<DevOutboxMessage[]> {
  return (await mails()).filter((m) => m.to === to && m.subject === RESET_SUBJECT);
}

/** The token of the newest reset link mailed to `to`. */
async function linkTo(to: string): Promise<{ url: URL; token: string }> {
  const [mail] = await resetMailsTo(to);
  const href = mail?.text ? /Choose a new password: (\S+)/.exec(mail.text)?.[1] : undefined;
  if (!href) throw new Error(`no reset link mailed to ${to}`);
  const url = new URL(href);
  return { url, token: url.searchParams.get('token')! };
}

const forgot = (email: string, client: TestClient = t.client(), workspace: string = OWNER.slug) =>
  client.post('/api/v1/auth/forgot-password', { workspace, email });

const reset = (token: string, newPassword = NEW_PASSWORD, newPasswordAgain = newPassword) =>
  t.client().post('/api/v1/auth/reset-password', { token, newPassword, newPasswordAgain });

const signInAs = (username: string, password: string) =>
  t.client().post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username, password });

function expectSameAnswer(response: { statusCode: number; json(): unknown }) {
  expect(response.statusCode).toBe(202);
  expect(response.json()).toEqual(SAME_ANSWER);
}

async function requestedEvents(): Promise<Array<{ target_id: string | null; details: Record<string, unknown> }>> {
  return t.database.db
    .selectFrom('activity_events')
    .select(['target_id', 'details'])
    .where('action', '=', 'user.password_reset_requested')
    .orderBy('occurred_at')
    .execute() as never;
}

describe('asking for a link', () => {
  it('mails a link only to a real local user, and answers the same for everyone else', async () => {
    // A guest who joined (a link), a guest still invited (nothing), a deactivated member (nothing).
    const partner = await createPartner(owner, 'Agency Ltd', 'gail@agency.test', [ownerId]);
    await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    const invited = await owner.post(`/api/v1/partners/${partner.id}/guests`, { email: 'ivy@agency.test' });
    expect(invited.statusCode, invited.body).toBe(201);
    const gone = await addMember(owner, 'dora@acme.test');
    await t.database.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone).execute();

    for (const email of ['nobody@acme.test', 'ivy@agency.test', 'dora@acme.test'])
      expectSameAnswer(await forgot(email));
    expectSameAnswer(await forgot('ada@acme.test', t.client(), 'no-such-workspace'));
    expect(await resetMailsTo('ivy@agency.test')).toEqual([]);
    expect(await resetMailsTo('dora@acme.test')).toEqual([]);
    expect(await t.database.db.selectFrom('password_resets').select('id').execute()).toEqual([]);

    // Like every public POST: the CSRF token is needed, and bad input is a 400 problem, never a 500.
    const anonymous = t.client();
    const withoutCsrf = await anonymous.request({
      method: 'POST',
      url: '/api/v1/auth/forgot-password',
      payload: { workspace: OWNER.slug, email: OWNER.email },
      withoutCsrf: true,
    });
    expect(withoutCsrf.statusCode).toBe(403);
    for (const body of [
      { workspace: OWNER.slug },
      { workspace: OWNER.slug, email: 'a\u0000b' },
      { workspace: 'acme', email: 'x@acme.test', extra: 1 },
    ]) {
      const bad = await anonymous.post('/api/v1/auth/forgot-password', body);
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    expect(await resetMailsTo(OWNER.email)).toEqual([]);

    // The owner (any case, spaces around it) and the joined guest get a link.
    expectSameAnswer(await forgot('  ADA@acme.test '));
    expectSameAnswer(await forgot('gail@agency.test'));
    const ownerLink = await linkTo(OWNER.email);
    expect(ownerLink.url.origin + ownerLink.url.pathname).toBe(
      new URL('/w/acme/reset-password', t.config.publicUrl).href,
    );
    await linkTo('gail@agency.test');

    // Only the token's hash is stored; the link is 30 minutes long.
    const rows = await t.database.db.selectFrom('password_resets').selectAll().execute();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(ownerLink.token);
    const ownerRow = rows.find((row) => row.user_id === ownerId)!;
    const ttl = ownerRow.expires_at.getTime() - testClock.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);

    // The activity log names who asked and what came of it; an unknown address leaves nothing.
    const outcomes = (await requestedEvents()).map((event) => event.details.outcome);
    expect(outcomes).toEqual(['invited', 'deactivated', 'sent', 'sent']);
  });

  it("tells a member of an idp workspace to use the company's sign-in, with no link; the owner still gets one", async () => {
    await addMember(owner, 'mia@acme.test');
    await t.database.db
      .updateTable('workspaces')
      .set({ mode: 'idp', idp_issuer: 'https://idp.acme.test', idp_client_id: 'gatehouse' })
      .execute();

    expectSameAnswer(await forgot('mia@acme.test'));
    const [told] = await resetMailsTo('mia@acme.test');
    expect(told?.text).toContain(
      "through your company's identity provider, so there is no Gatehouse password to reset",
    );
    expect(told?.text).toContain(new URL('/w/acme', t.config.publicUrl).href);
    expect(told?.text).not.toContain('reset-password');
    expect(await t.database.db.selectFrom('password_resets').select('id').execute()).toEqual([]);

    // The owner's local sign-in is the break-glass of an idp workspace: their reset works.
    expectSameAnswer(await forgot(OWNER.email));
    const { token } = await linkTo(OWNER.email);
    expect((await reset(token)).statusCode).toBe(204);
  });
});

describe('the link', () => {
  it('ends every session, client apps too, and the next sign-in still asks the second factor', async () => {
    const otherBrowser = t.client({ ip: '192.0.2.7' });
    expect(
      (
        await otherBrowser.post('/api/v1/auth/sign-in', {
          workspace: 'acme',
          username: OWNER.email,
          password: OWNER.password,
        })
      ).statusCode,
    ).toBe(200);
    await passSecondFactor(otherBrowser, mfa.secret);
    const extension = await connectClientApp(owner, owner);

    expectSameAnswer(await forgot(OWNER.email));
    const { token } = await linkTo(OWNER.email);
    const lookup = await t.client().get(`/api/v1/auth/reset-password/${token}`);
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json()).toEqual({
      state: 'valid',
      workspace: { slug: 'acme', name: OWNER.workspaceName },
      username: OWNER.email,
      policy: {
        minLength: 12,
        rules: [
          { id: 'min-length', label: 'At least 12 characters' },
          { id: 'not-identity', label: 'Not your username or email address' },
          { id: 'not-common', label: 'Not a commonly used password' },
          { id: 'hard-to-guess', label: 'Hard to guess: not a word, name or pattern with a little added' },
        ],
      },
    });

    const done = await reset(token);
    expect(done.statusCode, done.body).toBe(204);
    // Nobody was signed in by it.
    expect(done.cookies.map((cookie) => cookie.name)).not.toContain(t.app.sessionCookieName);

    expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await otherBrowser.get('/api/v1/auth/session')).statusCode).toBe(401);
    const app = await owner.get('/api/v1/accounts', clientAppHeaders(extension));
    expect(app.statusCode).toBe(401);
    expect(app.json()).toMatchObject({ type: '/api/problems/session-ended', reason: 'signed_out' });
    const open = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', ownerId)
      .where('ended_at', 'is', null)
      .execute();
    expect(open).toEqual([]);

    expect((await signInAs(OWNER.email, OWNER.password)).statusCode).toBe(401);
    const signedIn = await signInAs(OWNER.email, NEW_PASSWORD);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().pending.secondFactor).toBe(true);

    const [changed] = (await mails()).filter((m) => m.subject === CHANGED_SUBJECT && m.to === OWNER.email);
    expect(changed?.text).toContain('Every session of yours was signed out, client apps included.');
    expect(JSON.stringify(await mails())).not.toContain(NEW_PASSWORD);
    const event = await t.database.db
      .selectFrom('activity_events')
      .select(['actor_id', 'target_id', 'details'])
      .where('action', '=', 'user.password_reset')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_id: ownerId, target_id: ownerId, details: { sessionsEnded: 3 } });
  });

  it('works once; a used, expired, replaced or unknown link gets a clear problem', async () => {
    expectSameAnswer(await forgot(OWNER.email));
    const first = await linkTo(OWNER.email);
    expectSameAnswer(await forgot(OWNER.email));
    const second = await linkTo(OWNER.email);
    expect(second.token).not.toBe(first.token);

    // The newer request replaced the older link.
    expect((await t.client().get(`/api/v1/auth/reset-password/${first.token}`)).json().state).toBe('expired');
    const replaced = await reset(first.token);
    expect(replaced.statusCode).toBe(410);
    expect(replaced.headers['content-type']).toContain('application/problem+json');
    expect(replaced.json()).toMatchObject({ type: '/api/problems/reset-link-invalid', state: 'expired' });

    expect((await reset(second.token)).statusCode).toBe(204);
    const again = await reset(second.token, 'yet another long password');
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ type: '/api/problems/reset-link-invalid', state: 'used' });
    expect(again.json().detail).toContain('already used');
    expect((await t.client().get(`/api/v1/auth/reset-password/${second.token}`)).json().state).toBe('used');
    expect((await signInAs(OWNER.email, NEW_PASSWORD)).statusCode).toBe(200);

    // Past its 30 minutes (moved back in the database, as the clock only moves forward in small steps).
    expectSameAnswer(await forgot(OWNER.email));
    const third = await linkTo(OWNER.email);
    await t.database.db
      .updateTable('password_resets')
      .set({ expires_at: new Date(testClock.now() - 1000) })
      .where('used_at', 'is', null)
      .execute();
    expect((await t.client().get(`/api/v1/auth/reset-password/${third.token}`)).json().state).toBe('expired');
    const expired = await reset(third.token, 'a password too late to count');
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ state: 'expired' });
    expect(expired.json().detail).toContain('expired');

    const unknown = 'x'.repeat(43);
    const lookup = await t.client().get(`/api/v1/auth/reset-password/${unknown}`);
    expect(lookup.statusCode).toBe(410);
    expect(lookup.json()).toMatchObject({ type: '/api/problems/reset-link-invalid', state: 'unknown' });
    expect((await reset(unknown)).json()).toMatchObject({ state: 'unknown' });
    expect((await t.client().get('/api/v1/auth/reset-password/short')).statusCode).toBe(400);

    // None of it changed the password again.
    expect((await signInAs(OWNER.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('used twice at the same moment, it works for one of them only', async () => {
    expectSameAnswer(await forgot(OWNER.email));
    const { token } = await linkTo(OWNER.email);
    const answers = await Promise.all([
      reset(token, 'the first of two racing passwords'),
      reset(token, 'the second of two racing passwords'),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([204, 410]);
    const winner = answers[0]!.statusCode === 204 ? 'the first' : 'the second';
    expect((await signInAs(OWNER.email, `${winner} of two racing passwords`)).statusCode).toBe(200);
    expect(
      await t.database.db
        .selectFrom('activity_events')
        .select('id')
        .where('action', '=', 'user.password_reset')
        .execute(),
    ).toHaveLength(1);
  });

  it("keeps to the workspace's password policy, field by field, and changes nothing when refused", async () => {
    expectSameAnswer(await forgot(OWNER.email));
    const { token } = await linkTo(OWNER.email);
    const weak = await reset(token, 'q7#Zm-k', 'q7#Zm-j');
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors).toEqual([
      { path: 'newPassword', message: 'Use at least 12 characters.' },
      { path: 'newPasswordAgain', message: 'The two passwords do not match.' },
    ]);
    const identity = await reset(token, OWNER.email);
    expect(identity.json().errors).toContainEqual({
      path: 'newPassword',
      message: 'Do not use your username or email address as the password.',
    });
    const common = await reset(token, '1qaz2wsx3edc');
    expect(common.json().errors).toContainEqual({
      path: 'newPassword',
      message: 'This password is too common; choose one that is harder to guess.',
    });
    // A refusal does not use the link up.
    expect((await t.client().get(`/api/v1/auth/reset-password/${token}`)).json().state).toBe('valid');
    expect((await signInAs(OWNER.email, OWNER.password)).statusCode).toBe(200);
    expect((await reset(token)).statusCode).toBe(204);
  });

  it('is not given to a person deactivated after asking: the link stops working', async () => {
    const guestEmail = 'gail@agency.test';
    await createPartner(owner, 'Agency Ltd', guestEmail, [ownerId]);
    await completeFirstSignIn(t, await readInvitation(owner, guestEmail));
    expectSameAnswer(await forgot(guestEmail));
    const { token } = await linkTo(guestEmail);
    await t.database.db.updateTable('users').set({ status: 'deactivated' }).where('email', '=', guestEmail).execute();
    expect((await reset(token)).json()).toMatchObject({ state: 'unknown' });
    await t.database.db.updateTable('users').set({ status: 'active' }).where('email', '=', guestEmail).execute();
    expect((await signInAs(guestEmail, GUEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('limits and timing', () => {
  it('acts on 5 requests per account an hour; past that it answers the same, sends nothing and logs it once', async () => {
    for (let i = 0; i < FORGOT_PASSWORD_LIMITS.perAccount + 2; i++) {
      // From a different address each time: the account's own limit holds.
      expectSameAnswer(await forgot(OWNER.email, t.client({ ip: `198.51.100.${i + 1}` })));
    }
    expect(await resetMailsTo(OWNER.email)).toHaveLength(FORGOT_PASSWORD_LIMITS.perAccount);
    const outcomes = (await requestedEvents()).map((event) => event.details);
    expect(outcomes).toHaveLength(FORGOT_PASSWORD_LIMITS.perAccount + 1);
    expect(outcomes.at(-1)).toEqual({ outcome: 'rate_limited', limit: 'address' });
  });

  it('acts on 20 requests per client address an hour, whatever addresses they name', async () => {
    const client = t.client({ ip: '203.0.113.9' });
    for (let i = 0; i < FORGOT_PASSWORD_LIMITS.perClient; i++)
      expectSameAnswer(await forgot(`guess${i}@acme.test`, client));
    expectSameAnswer(await forgot(OWNER.email, client));
    expect(await resetMailsTo(OWNER.email)).toEqual([]);
    expect((await requestedEvents()).at(-1)).toMatchObject({
      target_id: ownerId,
      details: { outcome: 'rate_limited', limit: 'client' },
    });
    // Another client is not held back by it.
    expectSameAnswer(await forgot(OWNER.email, t.client({ ip: '203.0.113.10' })));
    expect(await resetMailsTo(OWNER.email)).toHaveLength(1);
  });

  it('takes as long for an address with an account as for one without', { timeout: 90_000 }, async () => {
    // Four accounts, so no request for a real address hits the per-account limit: every one sends a mail.
    const accounts = [OWNER.email, 'mia@acme.test', 'max@acme.test', 'gail@agency.test'];
    await addMember(owner, 'mia@acme.test');
    await addMember(owner, 'max@acme.test');
    await createPartner(owner, 'Agency Ltd', 'gail@agency.test', [ownerId]);
    await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    expect((await signInAs('mia@acme.test', MEMBER_PASSWORD)).statusCode).toBe(200);

    const timed = async (email: string, n: number) => {
      const client = t.client({ ip: `10.0.${email.length}.${n}` });
      await client.get('/api/v1/auth/csrf');
      const started = performance.now();
      const response = await forgot(email, client);
      const ms = performance.now() - started;
      expectSameAnswer(response);
      return ms;
    };
    const existing: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a slow moment of the machine weighs on both alike.
    for (let i = 0; i < 20; i++) {
      existing.push(await timed(accounts[i % accounts.length]!, i));
      unknown.push(await timed(`nobody${i}@acme.test`, i));
    }
    for (const email of accounts) expect(await resetMailsTo(email)).toHaveLength(5);

    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    for (const ms of [...existing, ...unknown]) expect(ms).toBeGreaterThanOrEqual(FORGOT_PASSWORD_MIN_RESPONSE_MS - 5);
    // The work itself is a few milliseconds next to the 400 ms every answer takes: the medians stay close.
    expect(Math.abs(median(existing) - median(unknown))).toBeLessThan(100);
  });
});
