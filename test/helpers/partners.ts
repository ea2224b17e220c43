import { expect } from 'vitest';
import type { TestApp } from './app.js';
import type { TestClient } from './client.js';
import { TestSmtpServer } from './smtp.js';
import { waitFor } from './wait.js';

export const MEMBER_PASSWORD = 'members own long password';
export const GUEST_PASSWORD = 'guests own long password';

/**
 * A member who has joined: invited by `owner` (Invite member), then joined from the emailed link with
 * MEMBER_PASSWORD and the given name taken from the address (so mia@acme.test is "mia Member").
 */
export async function addMember(
  owner: TestClient,
  email: string,
  role: 'admin' | 'member' = 'member',
): Promise<string> {
  const response = await owner.post('/api/v1/members', { email, role });
  expect(response.statusCode, response.body).toBe(201);
  const { token } = await readJoinLink(owner, email);
  const joined = await owner.another().post('/api/v1/member-invitations/join', {
    token,
    password: MEMBER_PASSWORD,
    passwordAgain: MEMBER_PASSWORD,
    givenName: email.split('@')[0],
    familyName: 'Member',
  });
  expect(joined.statusCode, joined.body).toBe(200);
  return response.json().id as string;
}

/**
 * The newest Join workspace link mailed to `to`: from the development outbox (read by an admin), or,
 * when the app sends through SMTP, from the test SMTP server the test file started.
 */
export async function readJoinLink(admin: TestClient, to: string): Promise<{ joinUrl: string; token: string }> {
  const isJoinMail = (m: { to: string; text: string }) =>
    m.to.toLowerCase() === to.toLowerCase() && m.text.includes('Join workspace:');
  const response = await admin.get('/api/v1/dev/outbox');
  let message: { to: string; text: string } | undefined;
  if (response.statusCode === 404 && TestSmtpServer.latest()) {
    const smtp = TestSmtpServer.latest()!;
    message = await waitFor(
      () =>
        smtp.messages
          .map((m) => ({ to: m.to.join(','), text: m.text }))
          .filter(isJoinMail)
          .at(-1),
      `a Join workspace mail to ${to}`,
    );
  } else {
    expect(response.statusCode, response.body).toBe(200);
    message = (response.json().messages as Array<{ to: string; text: string }>).find(isJoinMail);
  }
  if (!message) throw new Error(`no Join workspace mail to ${to}`);
  const joinUrl = /Join workspace: (https?:\/\/\S+)/.exec(message.text)?.[1];
  if (!joinUrl) throw new Error(`no link in:\n${message.text}`);
  return { joinUrl, token: new URL(joinUrl).searchParams.get('token')! };
}

/** Any instance a client can talk to: a test app, or the second of two instances (test/helpers/two-instances.ts). */
export type ClientSource = Pick<TestApp, 'client'>;

export async function signIn(t: ClientSource, username: string, password: string, ip?: string): Promise<TestClient> {
  const client = t.client(ip ? { ip } : undefined);
  const response = await client.post('/api/v1/auth/sign-in', { workspace: 'acme', username, password });
  expect(response.statusCode, response.body).toBe(200);
  return client;
}

export interface ReceivedInvitation {
  username: string;
  temporaryPassword: string;
  joinUrl: string;
  token: string;
}

/** Reads the newest invitation to `to` from the development outbox, as the owner. */
export async function readInvitation(owner: TestClient, to: string): Promise<ReceivedInvitation> {
  const response = await owner.get('/api/v1/dev/outbox');
  expect(response.statusCode, response.body).toBe(200);
  const messages = response.json().messages as Array<{ to: string; text: string }>;
  // The newest invitation, not the newest mail: a person who joined may have been notified since.
  const message = messages.find(
    (m) => m.to.toLowerCase() === to.toLowerCase() && (m.text ?? '').includes('Temporary password:'),
  );
  if (!message) throw new Error(`no invitation mail to ${to}`);
  return parseInvitation(message.text);
}

export function parseInvitation(text: string): ReceivedInvitation {
  const username = /Username: (\S+)/.exec(text)?.[1];
  const temporaryPassword = /Temporary password: (\S+)/.exec(text)?.[1];
  const joinUrl = /(https?:\/\/\S+\?invitation=[A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!username || !temporaryPassword || !joinUrl) throw new Error(`not an invitation:\n${text}`);
  return { username, temporaryPassword, joinUrl, token: new URL(joinUrl).searchParams.get('invitation')! };
}

export async function createPartner(owner: TestClient, name: string, guestAdminEmail: string, hostAdminIds: string[]) {
  const response = await owner.post('/api/v1/partners', { name, guestAdminEmail, hostAdminIds });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as {
    id: string;
    members: Array<{ userId: string; email: string; invitation: { id: string } | null }>;
  };
}

/** Runs the first sign-in: temporary password, Change Password, terms. Returns the signed-in guest. */
export async function completeFirstSignIn(
  t: ClientSource,
  invitation: ReceivedInvitation,
  names = { givenName: 'Gina', familyName: 'Guest' },
) {
  const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
  const changed = await guest.post('/api/v1/auth/change-password', {
    newPassword: GUEST_PASSWORD,
    newPasswordAgain: GUEST_PASSWORD,
    ...names,
  });
  expect(changed.statusCode, changed.body).toBe(200);
  const terms = (await guest.get('/api/v1/terms/current')).json() as { version: number };
  const accepted = await guest.post('/api/v1/terms/accept', { version: terms.version });
  expect(accepted.statusCode, accepted.body).toBe(204);
  return guest;
}

export async function me(client: TestClient): Promise<{ user: { id: string } }> {
  return (await client.get('/api/v1/auth/session')).json();
}
