import { expect } from 'vitest';
import type { TestClient } from './client.js';

/**
 * Trusts the client's device the way a person does with a mailed code, reading the code from the
 * development outbox through an admin's client (the workspace sends no SMTP mail in these tests).
 * `kind` 'extension' or 'cli' connects a client app instead (connectClientApp), approved from the
 * client's own web session, and turns `client` into that client app: from then on it sends the client
 * app's bearer token and device secret, and its cookies play no part.
 */
export async function trustDevice(
  client: TestClient,
  admin: TestClient,
  options: { name?: string; kind?: 'browser' | 'extension' | 'cli' } = {},
): Promise<{ deviceId: string }> {
  const kind = options.kind ?? 'browser';
  const name = options.name ?? `test ${kind} ${Date.now()}`;
  if (kind !== 'browser') {
    const connected = await connectClientApp(client, admin, { kind, name });
    useClientApp(client, connected);
    return { deviceId: connected.deviceId };
  }
  const created = await client.post('/api/v1/devices', { name, kind });
  expect(created.statusCode, created.body).toBe(201);
  const { device } = created.json() as { device: { id: string; status: string } };
  // With an approved device already, the new one waits for approval: take the mailed code instead.
  if (device.status === 'pending_approval') {
    const sent = await client.post('/api/v1/devices/current/code');
    expect(sent.statusCode, sent.body).toBe(200);
  }
  const code = await latestDeviceCode(admin);
  const verified = await client.post('/api/v1/devices/current/verify', { code });
  expect(verified.statusCode, verified.body).toBe(200);
  return { deviceId: device.id };
}

export interface ConnectedClientApp {
  deviceId: string;
  sessionToken: string;
  deviceSecret: string;
}

/**
 * Connects a client app as a person does (SPEC §7a, RFC 8628): the app starts, the person approves its
 * user code from their web session `person`, the app polls once and gets its session; when the approving
 * session was not trusted, the app verifies its device with the code mailed to the person.
 */
export async function connectClientApp(
  person: TestClient,
  admin: TestClient,
  options: { kind?: 'extension' | 'cli'; name?: string } = {},
): Promise<ConnectedClientApp> {
  const kind = options.kind ?? 'extension';
  const started = await person.post('/api/v1/connect/start', { kind });
  expect(started.statusCode, started.body).toBe(200);
  const { deviceCode, userCode } = started.json() as { deviceCode: string; userCode: string };
  const approved = await person.post(`/api/v1/connect/requests/${userCode}/approve`, {
    deviceName: options.name ?? `test ${kind} ${Date.now()}`,
  });
  expect(approved.statusCode, approved.body).toBe(200);
  const token = await person.post('/api/v1/connect/token', { deviceCode });
  expect(token.statusCode, token.body).toBe(200);
  const connected = token.json() as {
    sessionToken: string;
    deviceSecret: string;
    device: { id: string; status: string };
  };
  const app = {
    deviceId: connected.device.id,
    sessionToken: connected.sessionToken,
    deviceSecret: connected.deviceSecret,
  };
  if (connected.device.status === 'pending_verification') {
    const code = await latestDeviceCode(admin);
    const verified = await person.request({
      method: 'POST',
      url: '/api/v1/devices/current/verify',
      payload: { code },
      headers: clientAppHeaders(app),
      withoutCsrf: true,
    });
    expect(verified.statusCode, verified.body).toBe(200);
  }
  return app;
}

/** The headers a client app sends on every request. */
export function clientAppHeaders(
  app: Pick<ConnectedClientApp, 'sessionToken' | 'deviceSecret'>,
): Record<string, string> {
  return { authorization: `Bearer ${app.sessionToken}`, 'x-gatehouse-device': app.deviceSecret };
}

/** Makes `client` send the client app's credentials from now on (its cookies are then ignored). */
export function useClientApp(client: TestClient, app: ConnectedClientApp): void {
  for (const [name, value] of Object.entries(clientAppHeaders(app))) client.setHeader(name, value);
}

async function latestDeviceCode(admin: TestClient): Promise<string> {
  const outbox = await admin.get('/api/v1/dev/outbox');
  expect(outbox.statusCode, outbox.body).toBe(200);
  const messages = outbox.json().messages as Array<{ subject: string; text: string | null }>;
  const mail = messages.find((m) => m.subject.startsWith('Your code to trust a new device'));
  const code = mail?.text ? /^Code: (\d{6})$/m.exec(mail.text)?.[1] : undefined;
  if (!code) throw new Error('no device code in the development outbox');
  return code;
}

export const ACCOUNT = {
  name: 'Company Instagram',
  appName: 'Instagram',
  loginUrl: 'https://www.instagram.com/accounts/login/',
  username: 'acme.official',
  password: 'Instagram password 8c1f2e',
  // RFC 6238's SHA-1 test key "12345678901234567890", in base32.
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  notes: 'Shared with the social team.\nRecovery email: social@acme.test',
} as const;
