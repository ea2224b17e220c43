import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { passSecondFactor, turnOnMfa, type TurnedOnMfa } from '../helpers/mfa.js';
import { addMember, MEMBER_PASSWORD, signIn } from '../helpers/partners.js';
import { clientAppHeaders, connectClientApp } from '../helpers/vault.js';

/**
 * **Sessions** on Security (issue 11): a person lists where they are signed in — browsers and connected
 * client apps, named by their device — and signs any of them out, or every one but the current.
 */

const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0';

let t: TestApp;
let owner: TestClient;
let mfa: TurnedOnMfa;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  mfa = await turnOnMfa(owner);
});
afterEach(async () => {
  await t.close();
});

type Listed = {
  id: string;
  current: boolean;
  browser: string;
  os: string;
  ip: string | null;
  clientApp: { deviceName: string; kind: string } | null;
};
const sessionsOf = async (client: TestClient, headers?: Record<string, string>) => {
  const response = await client.get('/api/v1/sessions', headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().sessions as Listed[];
};

async function secondBrowser(): Promise<TestClient> {
  const client = t.client({ userAgent: FIREFOX_MAC, ip: '198.51.100.20' });
  const signedIn = await client.post('/api/v1/auth/sign-in', {
    workspace: OWNER.slug,
    username: OWNER.email,
    password: OWNER.password,
  });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  await passSecondFactor(client, mfa.secret);
  return client;
}

it('lists each browser and each connected client app, the current one marked; only one’s own', async () => {
  const firefox = await secondBrowser();
  const extension = await connectClientApp(owner, owner, { name: 'Ada laptop extension' });
  await addMember(owner, 'mia@acme.test');
  const mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  expect((await mia.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);

  const listed = await sessionsOf(owner);
  expect(listed).toHaveLength(3);
  expect(listed.filter((s) => s.current)).toHaveLength(1);
  expect(listed.find((s) => s.browser === 'Firefox')).toMatchObject({
    os: 'macOS',
    ip: '198.51.100.20',
    current: false,
    clientApp: null,
  });
  expect(listed.find((s) => s.clientApp)).toMatchObject({
    clientApp: { deviceName: 'Ada laptop extension', kind: 'extension' },
  });
  // Each person sees their own only.
  expect((await sessionsOf(mia)).map((s) => s.id)).not.toContain(listed[0]!.id);
  const firefoxId = (await sessionsOf(firefox)).find((s) => s.current)!.id;
  const foreign = await mia.request({ method: 'DELETE', url: `/api/v1/sessions/${firefoxId}` });
  expect(foreign.statusCode).toBe(404);
  expect((await firefox.get('/api/v1/auth/session')).statusCode).toBe(200);
  expect((await owner.get('/api/v1/sessions', clientAppHeaders(extension))).statusCode).toBe(200);
});

it('Sign out ends one session at its next request; a client app hears why', async () => {
  const firefox = await secondBrowser();
  const extension = await connectClientApp(owner, owner, { name: 'Ada laptop extension' });
  const listed = await sessionsOf(owner);
  const firefoxSession = listed.find((s) => s.browser === 'Firefox')!;
  expect((await owner.request({ method: 'DELETE', url: `/api/v1/sessions/${firefoxSession.id}` })).statusCode).toBe(
    204,
  );
  expect((await firefox.get('/api/v1/auth/session')).statusCode).toBe(401);
  expect((await owner.request({ method: 'DELETE', url: `/api/v1/sessions/${firefoxSession.id}` })).statusCode).toBe(
    404,
  );

  const extensionSession = listed.find((s) => s.clientApp)!;
  await owner.request({ method: 'DELETE', url: `/api/v1/sessions/${extensionSession.id}` });
  const stopped = await owner.get('/api/v1/accounts', clientAppHeaders(extension));
  expect(stopped.statusCode).toBe(401);
  expect(stopped.json()).toMatchObject({ type: '/api/problems/session-ended', reason: 'signed_out' });
  expect((await owner.get('/api/v1/auth/session')).statusCode).toBe(200);
});

it('Sign out everywhere else ends every session but the current one', async () => {
  const firefox = await secondBrowser();
  const extension = await connectClientApp(owner, owner);
  const done = await owner.post('/api/v1/sessions/sign-out-others');
  expect(done.json()).toEqual({ ended: 2 });
  expect((await firefox.get('/api/v1/auth/session')).statusCode).toBe(401);
  expect((await owner.get('/api/v1/accounts', clientAppHeaders(extension))).statusCode).toBe(401);
  expect((await sessionsOf(owner)).map((s) => s.current)).toEqual([true]);
  const events = (await owner.get('/api/v1/activity')).json().events as Array<{ action: string; details: unknown }>;
  expect(events.find((e) => e.action === 'auth.other_sessions_ended')?.details).toEqual({ count: 2 });
});
