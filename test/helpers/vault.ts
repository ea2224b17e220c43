import { expect } from 'vitest';
import type { TestClient } from './client.js';

/**
 * Trusts the client's device the way a person does with a mailed code, reading the code from the
 * development outbox through an admin's client (the workspace sends no SMTP mail in these tests).
 * `kind` 'extension' or 'cli' registers a client app, which presents its secret in a header.
 */
export async function trustDevice(
  client: TestClient,
  admin: TestClient,
  options: { name?: string; kind?: 'browser' | 'extension' | 'cli' } = {},
): Promise<{ deviceId: string }> {
  const kind = options.kind ?? 'browser';
  const created = await client.post('/api/v1/devices', { name: options.name ?? `test ${kind} ${Date.now()}`, kind });
  expect(created.statusCode, created.body).toBe(201);
  const { device, deviceSecret } = created.json() as {
    device: { id: string; status: string };
    deviceSecret?: string;
  };
  if (deviceSecret) client.setHeader('x-gatehouse-device', deviceSecret);
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
