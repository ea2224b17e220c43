import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, setUpWorkspace, type TestApp, type TestAppOptions } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { freshCode, passSecondFactor } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
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
