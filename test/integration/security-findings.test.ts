import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, setUpWorkspace, type TestApp, type TestAppOptions } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { freshCode, passSecondFactor } from '../helpers/mfa.js';
import { addMember, createPartner, me, MEMBER_PASSWORD, readInvitation, signIn } from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';
import { SoftwareAuthenticator } from '../helpers/webauthn.js';
import { OWNER } from '../helpers/app.js';

/**
 * Issue 13's security findings, one block each: every test here failed on the code before its fix.
 */

let t: TestApp | undefined;

async function start(options: TestAppOptions = {}): Promise<TestApp> {
  t = await createTestApp(options);
  return t;
}

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function acceptTerms(client: TestClient): Promise<void> {
  const terms = (await client.get('/api/v1/terms/current')).json() as { version: number };
  const accepted = await client.post('/api/v1/terms/accept', { version: terms.version });
  expect(accepted.statusCode, accepted.body).toBe(204);
}

function expectNoStore(response: LightMyRequestResponse, what: string): void {
  expect(response.statusCode, `${what}: ${response.body}`).toBeLessThan(300);
  expect(response.headers['cache-control'], what).toMatch(/(^|,\s*)no-store(\s*,|$)/);
}

describe('finding 1: responses carrying a secret are never stored by a cache', () => {
  it('sends Cache-Control: no-store with TOTP keys, recovery codes, device secrets, revealed passwords, autofill and TOTP codes', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);

    const setup = await owner.post('/api/v1/mfa/totp/setup');
    expectNoStore(setup, 'POST /mfa/totp/setup (the TOTP key)');
    const secret = (setup.json().key as string).replace(/\s/g, '');
    const confirmed = await owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(secret) });
    expect(confirmed.json().recoveryCodes).toHaveLength(10);
    expectNoStore(confirmed, 'POST /mfa/totp/confirm (the first recovery codes)');
    const regenerated = await owner.post('/api/v1/mfa/recovery-codes');
    expectNoStore(regenerated, 'POST /mfa/recovery-codes (new recovery codes)');

    // A passkey as the first factor hands out the recovery codes too.
    await addMember(owner, 'mia@acme.test');
    const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    await acceptTerms(mia);
    const authenticator = new SoftwareAuthenticator('http://localhost:3000');
    const options = await mia.post('/api/v1/mfa/passkeys/registration-options');
    expect(options.statusCode, options.body).toBe(200);
    const passkey = await mia.post('/api/v1/mfa/passkeys', {
      name: 'YubiKey',
      response: authenticator.register(options.json()),
    });
    expect(passkey.json().recoveryCodes).toHaveLength(10);
    expectNoStore(passkey, 'POST /mfa/passkeys (recovery codes with the first factor)');

    const accountId = ((await owner.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
    await trustDevice(owner, owner);
    const totpCode = await owner.post(`/api/v1/accounts/${accountId}/totp-code`);
    expectNoStore(totpCode, 'POST /accounts/:id/totp-code');
    const revealed = await owner.post(`/api/v1/accounts/${accountId}/reveal`, { field: 'password' });
    expect(revealed.json().value).toBe(ACCOUNT.password);
    expectNoStore(revealed, 'POST /accounts/:id/reveal');

    // A client app: its device secret is in the body once, then it receives passwords for autofill.
    const extension = await signIn(t, OWNER.email, OWNER.password);
    await passSecondFactor(extension, secret);
    const cliDevice = await mia.post('/api/v1/devices', { name: 'laptop terminal', kind: 'cli' });
    expect(cliDevice.json().deviceSecret).toEqual(expect.any(String));
    expectNoStore(cliDevice, 'POST /devices (the device secret)');
    await trustDevice(extension, owner, { kind: 'extension' });
    const autofill = await extension.post(`/api/v1/accounts/${accountId}/autofill`);
    expect(autofill.json().password).toBe(ACCOUNT.password);
    expectNoStore(autofill, 'POST /accounts/:id/autofill');
  });

  it('makes no-store the rule for every API response, problems included', async () => {
    const t = await start();
    const owner = await setUpWorkspace(t);
    const anonymous = t.client();
    const answers: Array<[string, LightMyRequestResponse]> = [
      ['GET /auth/csrf', await anonymous.get('/api/v1/auth/csrf')],
      ['GET /auth/session', await owner.get('/api/v1/auth/session')],
      ['GET /activity', await owner.get('/api/v1/activity')],
      ['a refused reveal', await owner.post('/api/v1/accounts/00000000-0000-4000-8000-000000000000/reveal', {})],
      ['an unknown API route', await owner.get('/api/v1/no-such-thing')],
    ];
    for (const [what, response] of answers) {
      expect(response.headers['cache-control'], what).toMatch(/(^|,\s*)no-store(\s*,|$)/);
    }
  });
});

/** A log sink: every JSON line the app writes. */
function logCapture(): { stream: Writable; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return {
    stream,
    text: () => output,
    lines: () =>
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('finding 2: tokens in URLs never reach the log', () => {
  it('logs Join as a guest links and their API look-up with the token redacted, in the path and in the query', async () => {
    const log = logCapture();
    const t = await start({ logStream: log.stream });
    const owner = await setUpWorkspace(t);
    await createPartner(owner, 'Agency', 'gia@agency.test', [(await me(owner)).user.id]);
    const { token, joinUrl } = await readInvitation(owner, 'gia@agency.test');
    const visitor = t.client();

    // The web app's page (or, without a built web app, the 503 that says so): logged either way.
    await visitor.get(new URL(joinUrl).pathname + new URL(joinUrl).search);
    const lookup = await visitor.get(`/api/v1/invitations/by-token/${token}`);
    expect(lookup.statusCode, lookup.body).toBe(200);
    // Other credentials that travel in URLs: an identity provider's answer, a reset link's token.
    const oidcCode = 'SplxlOBeZQQYbYS6WxSbIA';
    const oidcState = 'af0ifjsldkjXk3OQvVnNhT0';
    await visitor.get(`/api/v1/oidc/callback?code=${oidcCode}&state=${oidcState}`);
    const resetToken = 'q3Xz9PLm2VbN8rT5wKcY7hGf4JdS1aE6uR0iO';
    await visitor.get(`/w/acme/reset-password/${resetToken}?password=hunter2hunter2`);

    const requestUrls = log
      .lines()
      .map((line) => (line.req as { url?: string } | undefined)?.url)
      .filter((url): url is string => url !== undefined);
    expect(requestUrls).toEqual(
      expect.arrayContaining([
        '/w/acme?invitation=[redacted]',
        '/api/v1/invitations/by-token/[redacted]',
        '/api/v1/oidc/callback?code=[redacted]&state=[redacted]',
        '/w/acme/reset-password/[redacted]?password=[redacted]',
      ]),
    );
    const written = log.text();
    for (const secret of [token, oidcCode, oidcState, resetToken, 'hunter2hunter2']) {
      expect(written).not.toContain(secret);
    }
    // Ids and slugs, which are not secrets, stay readable.
    expect(requestUrls).toContain('/api/v1/auth/session');
  });
});
