import { afterEach, describe, expect, it } from 'vitest';
import { openMailBody } from '../../src/mail/outbox.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { mailsTo, readInvitationMail, waitForMailTo } from '../helpers/invitation-mail.js';
import { createPartner, me, parseInvitation, signIn } from '../helpers/partners.js';
import { deadSmtpPort, smtpUrl, TestSmtpServer } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * SPEC §4: "the invitation is committed first, the email is retried with backoff while the mail server is
 * down, and its delivery state is visible on the partner page." Through the real invite path (the API),
 * the real outbox worker and a real SMTP server that is down at first and comes back on the same port.
 */

const GUEST = 'gail@agency.test';
/** Fast retries, so that a mail server coming back is noticed within a fraction of a second. */
const WORKER = { pollIntervalMs: 50, baseDelayMs: 100, maxDelayMs: 400 };
const TIMEOUT_MS = 30_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The app, its owner signed in, and the port of a mail server that is not running (yet). */
async function appWithMailServerDown(): Promise<{ t: TestApp; owner: TestClient; ownerId: string; port: number }> {
  const port = await deadSmtpPort();
  const t = await createTestApp({ smtpUrl: smtpUrl(port), worker: WORKER });
  cleanups.push(() => t.close());
  const owner = await setUpWorkspace(t);
  return { t, owner, ownerId: (await me(owner)).user.id, port };
}

async function startSmtp(port: number): Promise<TestSmtpServer> {
  const smtp = await TestSmtpServer.start(port);
  cleanups.push(() => smtp.close());
  return smtp;
}

type Delivery = {
  state: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
};

/** The invitation's delivery as the partner page shows it (GET /partners/:id). */
async function deliveryOnPartnerPage(owner: TestClient, partnerId: string, email: string): Promise<Delivery | null> {
  const response = await owner.get(`/api/v1/partners/${partnerId}`);
  expect(response.statusCode, response.body).toBe(200);
  const member = (
    response.json().members as Array<{ email: string; invitation: { delivery: Delivery | null } | null }>
  ).find((m) => m.email === email);
  return member?.invitation?.delivery ?? null;
}

function outboxRows(t: TestApp, recipient: string) {
  return t.database.db
    .selectFrom('outbox')
    .selectAll()
    .where('recipient', '=', recipient)
    .orderBy('created_at')
    .execute();
}

/** Lets the worker go round a few more times: with nothing left to send, each cycle handles nothing. */
async function workerCyclesHandleNothing(t: TestApp): Promise<void> {
  for (let i = 0; i < 3; i++) expect(await t.worker.runOnce()).toBe(0);
}

describe('invitation mail through the durable outbox, with the mail server down at first', { timeout: 90_000 }, () => {
  it('inviting succeeds while SMTP is down; the mail is retried, then delivered exactly once when it is back', async () => {
    const { t, owner, ownerId, port } = await appWithMailServerDown();

    // Inviting does not wait for (or fail with) the mail server: the partner and invitation are committed.
    const partner = await createPartner(owner, 'Agency Ltd', GUEST, [ownerId]);
    const guest = partner.members.find((m) => m.email === GUEST)!;
    expect(guest).toMatchObject({ status: 'invited', partnerRole: 'guest_admin' });
    const invitation = await t.database.db
      .selectFrom('invitations')
      .select(['id', 'state'])
      .where('id', '=', guest.invitation!.id)
      .executeTakeFirstOrThrow();
    expect(invitation.state).toBe('pending');

    // The partner page shows the delivery failing and being retried.
    const retrying = await waitFor(
      async () => {
        const delivery = await deliveryOnPartnerPage(owner, partner.id, GUEST);
        return delivery?.state === 'retrying' && delivery.attempts >= 2 ? delivery : null;
      },
      'the partner page to show the delivery retrying',
      TIMEOUT_MS,
    );
    expect(retrying.lastError).toMatch(/ECONNREFUSED/);
    expect(retrying.sentAt).toBeNull();
    expect(Date.parse(retrying.nextAttemptAt!)).toBeGreaterThan(0);
    const [pending] = await outboxRows(t, GUEST);
    expect(pending).toMatchObject({ state: 'pending', invitation_id: invitation.id });
    expect(pending!.sealed_body).not.toBeNull();
    expect(pending!.last_error).not.toContain('Temporary password');

    // The mail server comes back on the same address: the invitation arrives.
    const smtp = await startSmtp(port);
    const received = readInvitationMail(await waitForMailTo(smtp, GUEST, 1, TIMEOUT_MS));
    expect(received.username).toBe(GUEST);
    expect(received.workspaceName).toBe(OWNER.workspaceName);

    const sent = await waitFor(
      async () => {
        const rows = await outboxRows(t, GUEST);
        return rows.length === 1 && rows[0]!.state === 'sent' ? rows[0]! : null;
      },
      'the outbox row to be marked sent',
      TIMEOUT_MS,
    );
    expect(sent.sealed_body).toBeNull();
    expect(sent.last_error).toBeNull();
    // At least one attempt failed before the one that delivered (an attempt counts when it is claimed).
    expect(sent.attempts).toBeGreaterThanOrEqual(2);

    // A few more worker cycles send nothing more: exactly one message reached the guest.
    await workerCyclesHandleNothing(t);
    expect(mailsTo(smtp, GUEST)).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    expect(await deliveryOnPartnerPage(owner, partner.id, GUEST)).toMatchObject({
      state: 'sent',
      lastError: null,
      nextAttemptAt: null,
    });

    // And what arrived works.
    const guestClient = await signIn(t, received.username, received.temporaryPassword);
    expect((await me(guestClient)).user.id).toBe(guest.userId);
  });

  it('a resend while the first mail is undelivered: only the new temporary password arrives, and only it works', async () => {
    const { t, owner, ownerId, port } = await appWithMailServerDown();
    const partner = await createPartner(owner, 'Agency Ltd', GUEST, [ownerId]);
    const invitationId = partner.members.find((m) => m.email === GUEST)!.invitation!.id;
    await waitFor(
      async () => (await deliveryOnPartnerPage(owner, partner.id, GUEST))?.state === 'retrying',
      'the first mail to fail',
      TIMEOUT_MS,
    );

    // The first message, as it would have been delivered: opened here with the app's key, to learn the
    // temporary password it carries (it never reaches anyone).
    const [first] = await outboxRows(t, GUEST);
    const firstPassword = parseInvitation(
      (await openMailBody(t.database.db, t.app, first!.workspace_id, first!.id, first!.sealed_body!)).text,
    ).temporaryPassword;

    const resent = await owner.post(`/api/v1/invitations/${invitationId}/resend`);
    expect(resent.statusCode, resent.body).toBe(204);
    const afterResend = await outboxRows(t, GUEST);
    expect(afterResend).toHaveLength(2);
    expect(afterResend[0]).toMatchObject({ id: first!.id, state: 'cancelled', sealed_body: null });
    expect(afterResend[1]!.state).toBe('pending');

    const smtp = await startSmtp(port);
    const received = readInvitationMail(await waitForMailTo(smtp, GUEST, 1, TIMEOUT_MS));
    expect(received.temporaryPassword).not.toBe(firstPassword);
    await waitFor(
      async () => (await outboxRows(t, GUEST))[1]!.state === 'sent',
      'the new message to be marked sent',
      TIMEOUT_MS,
    );
    await workerCyclesHandleNothing(t);
    expect(mailsTo(smtp, GUEST)).toHaveLength(1);
    expect(`${received.mail.text}${received.mail.html}`).not.toContain(firstPassword);
    const rows = await outboxRows(t, GUEST);
    expect(rows.map((r) => [r.state, r.sealed_body])).toEqual([
      ['cancelled', null],
      ['sent', null],
    ]);
    expect(await deliveryOnPartnerPage(owner, partner.id, GUEST)).toMatchObject({ state: 'sent' });

    // The old temporary password is void; the new one signs in.
    const old = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: GUEST, password: firstPassword });
    expect(old.statusCode).toBe(401);
    expect(old.json().detail).toBe('Wrong username or password.');
    const guestClient = await signIn(t, received.username, received.temporaryPassword);
    expect((await guestClient.get('/api/v1/auth/session')).json()).toMatchObject({ pending: { passwordChange: true } });
  });
});
