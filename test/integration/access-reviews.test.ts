import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from '../helpers/partners.js';
import { ACCOUNT } from '../helpers/vault.js';
import { sendDueReviewReminders } from '../../src/services/access-reviews/due-reminders.js';

/**
 * **Review access** for a partner (SPEC §8a, issue 12): host admins list every guest and every grant reaching
 * the partner, decide each **Keep** or **Remove**; Remove has the usual removal's effects on the next
 * request; the review closes when all are decided; one open review per partner; a schedule reminds once.
 */

interface ReviewItem {
  id: string;
  kind: 'guest' | 'grant';
  holderName: string;
  accountName: string | null;
  role: string;
  grantedBy: string | null;
  lastUsedAt: string | null;
  decision: 'keep' | 'remove' | null;
  decidedBy: string | null;
  endedWith: string | null;
  ended: boolean;
}
interface Review {
  id: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  items: ReviewItem[];
}

let t: TestApp;
let owner: TestClient;
let hugo: TestClient;
let mia: TestClient;
let gail: TestClient;
let gus: TestClient;
let gwen: TestClient;
let olga: TestClient;
let partnerId: string;
let review: Review;

const describeItem = (i: ReviewItem) =>
  `${i.kind} ${i.accountName ? `${i.accountName} → ` : ''}${i.holderName}: ${i.role} by ${i.grantedBy ?? '-'}`;

async function decide(client: TestClient, item: ReviewItem, decision: 'keep' | 'remove') {
  return client.post(`/api/v1/access-reviews/${review.id}/items/${item.id}/decision`, { decision });
}
const item = (text: string) => review.items.find((i) => describeItem(i).startsWith(text))!;
const accountNames = async (client: TestClient) =>
  ((await client.get('/api/v1/accounts')).json() as { accounts: Array<{ name: string }> }).accounts
    .map((a) => a.name)
    .sort();

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  await addMember(owner, 'hugo@acme.test');
  await addMember(owner, 'mia@acme.test');
  hugo = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
  mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  for (const client of [hugo, mia])
    expect((await client.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  const hugoSecret = (await turnOnMfa(hugo)).secret;
  const hugoId = (await me(hugo)).user.id;
  partnerId = (await createPartner(owner, 'Agency One', 'gail@agency.test', [hugoId])).id;
  await createPartner(owner, 'Other Co', 'olga@other.test', [hugoId]);
  gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'), {
    givenName: 'Gail',
    familyName: 'Guest',
  });
  const gailSecret = (await turnOnMfa(gail)).secret;
  expect((await gail.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gus@agency.test' })).statusCode).toBe(201);
  gus = await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
    givenName: 'Gus',
    familyName: 'User',
  });
  await turnOnMfa(gus);
  expect((await gail.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gwen@agency.test' })).statusCode).toBe(201);
  gwen = await completeFirstSignIn(t, await readInvitation(owner, 'gwen@agency.test'), {
    givenName: 'Gwen',
    familyName: 'User',
  });
  await turnOnMfa(gwen);
  olga = await completeFirstSignIn(t, await readInvitation(owner, 'olga@other.test'), {
    givenName: 'Olga',
    familyName: 'Other',
  });
  await turnOnMfa(olga);
  const gusId = (await me(gus)).user.id;
  const gwenId = (await me(gwen)).user.id;

  const create = async (name: string) =>
    ((await hugo.post('/api/v1/accounts', { ...ACCOUNT, name })).json() as { id: string }).id;
  const instagram = await create('Company Instagram');
  const linkedin = await create('Company LinkedIn');
  await confirmIdentity(hugo, hugoSecret);
  const shared = await hugo.post(`/api/v1/partners/${partnerId}/accounts`, {
    accounts: [
      { accountId: instagram, role: 'manager' },
      { accountId: linkedin, role: 'collaborator' },
    ],
  });
  expect(shared.statusCode, shared.body).toBe(204);
  await confirmIdentity(gail, gailSecret);
  for (const userId of [gusId, gwenId]) {
    const passedOn = await gail.post(`/api/v1/accounts/${instagram}/onward-shares`, { userId });
    expect(passedOn.statusCode, passedOn.body).toBe(204);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('who may review a partner’s access', () => {
  it('host admins and workspace admins; its guests are refused, everyone else finds nothing', async () => {
    expect((await hugo.get(`/api/v1/partners/${partnerId}/access-reviews`)).statusCode).toBe(200);
    expect((await owner.get(`/api/v1/partners/${partnerId}/access-reviews`)).statusCode).toBe(200);
    for (const guest of [gail, gus]) {
      expect((await guest.get(`/api/v1/partners/${partnerId}/access-reviews`)).statusCode).toBe(403);
      const started = await guest.post(`/api/v1/partners/${partnerId}/access-reviews`);
      expect(started.statusCode).toBe(403);
      expect(started.headers['content-type']).toContain('application/problem+json');
    }
    for (const outsider of [mia, olga]) {
      expect((await outsider.get(`/api/v1/partners/${partnerId}/access-reviews`)).statusCode).toBe(404);
      expect((await outsider.post(`/api/v1/partners/${partnerId}/access-reviews`)).statusCode).toBe(404);
    }
  });
});

describe('an access review', () => {
  it('lists every guest and every grant reaching the partner, with role, who granted it and last use', async () => {
    const started = await hugo.post(`/api/v1/partners/${partnerId}/access-reviews`);
    expect(started.statusCode, started.body).toBe(201);
    review = started.json();
    expect(review.status).toBe('open');
    expect(review.items.map(describeItem)).toEqual([
      `guest Gail Guest: guest_admin by ${OWNER.displayName}`,
      'guest Gus User: guest_user by Gail Guest',
      'guest Gwen User: guest_user by Gail Guest',
      'grant Company Instagram → Agency One: manager by hugo Member',
      'grant Company LinkedIn → Agency One: collaborator by hugo Member',
      'grant Company Instagram → Gus User: collaborator by Gail Guest',
      'grant Company Instagram → Gwen User: collaborator by Gail Guest',
    ]);
    // The guests have signed in: their last use is their latest session.
    expect(item('guest Gus User').lastUsedAt).not.toBeNull();
    expect(review.items.every((i) => i.decision === null && !i.ended)).toBe(true);
  });

  it('is one open review per partner at a time', async () => {
    const again = await hugo.post(`/api/v1/partners/${partnerId}/access-reviews`);
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toContain('access-review-open');
  });

  it('is readable by its reviewers only', async () => {
    expect((await owner.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(200);
    expect((await gail.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(403);
    expect((await mia.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(404);
    expect((await olga.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(404);
    expect(
      (
        await gail.post(`/api/v1/access-reviews/${review.id}/items/${review.items[0]!.id}/decision`, {
          decision: 'remove',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await mia.post(`/api/v1/access-reviews/${review.id}/items/${review.items[0]!.id}/decision`, {
          decision: 'keep',
        })
      ).statusCode,
    ).toBe(404);
    const bad = await hugo.post(`/api/v1/access-reviews/${review.id}/items/${review.items[0]!.id}/decision`, {
      decision: 'maybe',
    });
    expect(bad.statusCode).toBe(400);
  });

  it('Remove on a guest’s grant takes that account from that guest only (here by an admin who does not own it)', async () => {
    expect(await accountNames(gwen)).toEqual(['Company Instagram']);
    const removed = await decide(owner, item('grant Company Instagram → Gwen User'), 'remove');
    expect(removed.statusCode, removed.body).toBe(200);
    expect(await accountNames(gwen)).toEqual([]);
    expect(await accountNames(gus)).toEqual(['Company Instagram']);
    expect((await gwen.get('/api/v1/auth/session')).statusCode).toBe(200);
  });

  it('Remove on a guest ends their session on the next request, and their grants with them', async () => {
    expect((await gus.get('/api/v1/auth/session')).statusCode).toBe(200);
    const kept = await decide(hugo, item('guest Gail Guest'), 'keep');
    expect(kept.statusCode, kept.body).toBe(200);
    const removed = await decide(hugo, item('guest Gus User'), 'remove');
    expect(removed.statusCode, removed.body).toBe(200);
    review = removed.json();

    expect((await gus.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await gus.get('/api/v1/accounts')).statusCode).toBe(401);
    const grant = item('grant Company Instagram → Gus User');
    expect(grant).toMatchObject({ decision: 'remove', endedWith: 'Gus User', ended: true, decidedBy: 'hugo Member' });
    expect(review.status).toBe('open');
    const members = (await hugo.get(`/api/v1/partners/${partnerId}`)).json() as {
      members: Array<{ email: string }>;
    };
    expect(members.members.map((m) => m.email)).not.toContain('gus@agency.test');
  });

  it('Remove on a partner share takes the account away from its guests; the last decision closes the review', async () => {
    expect(await accountNames(gail)).toEqual(['Company Instagram', 'Company LinkedIn']);
    expect((await decide(hugo, item('grant Company Instagram → Agency One'), 'remove')).statusCode).toBe(200);
    expect(await accountNames(gail)).toEqual(['Company LinkedIn']);
    expect((await decide(hugo, item('guest Gwen User'), 'keep')).statusCode).toBe(200);
    const last = await decide(owner, item('grant Company LinkedIn → Agency One'), 'keep');
    expect(last.statusCode, last.body).toBe(200);
    review = last.json();
    expect(review.status).toBe('closed');
    expect(review.closedAt).not.toBeNull();
    expect(review.items.map((i) => `${describeItem(i)} → ${i.decision} (${i.decidedBy})`)).toEqual([
      `guest Gail Guest: guest_admin by ${OWNER.displayName} → keep (hugo Member)`,
      'guest Gus User: guest_user by Gail Guest → remove (hugo Member)',
      'guest Gwen User: guest_user by Gail Guest → keep (hugo Member)',
      'grant Company Instagram → Agency One: manager by hugo Member → remove (hugo Member)',
      `grant Company LinkedIn → Agency One: collaborator by hugo Member → keep (${OWNER.displayName})`,
      'grant Company Instagram → Gus User: collaborator by Gail Guest → remove (hugo Member)',
      `grant Company Instagram → Gwen User: collaborator by Gail Guest → remove (${OWNER.displayName})`,
    ]);
    // A closed review stays as it was decided.
    const after = await hugo.post(`/api/v1/access-reviews/${review.id}/items/${review.items[0]!.id}/decision`, {
      decision: 'remove',
    });
    expect(after.statusCode).toBe(409);
    const list = (await hugo.get(`/api/v1/partners/${partnerId}/access-reviews`)).json() as {
      reviews: Array<{ status: string; items: number; decided: number; removed: number }>;
    };
    expect(list.reviews).toEqual([expect.objectContaining({ status: 'closed', items: 7, decided: 7, removed: 4 })]);
  });

  it('writes its activity: started, each decision, closed', async () => {
    const response = await hugo.get(`/api/v1/activity?partner=${partnerId}&type=partners,accounts&limit=100`);
    expect(response.statusCode, response.body).toBe(200);
    const summaries = (response.json() as { events: Array<{ summary: string }> }).events.map((e) => e.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        'hugo Member started an access review of Agency One.',
        'hugo Member kept Gail Guest as guest admin of Agency One in an access review.',
        'hugo Member removed Gus User as guest user of Agency One in an access review.',
        'hugo Member removed Gus User from Agency One.',
        `${OWNER.displayName} removed access to Company Instagram from Gwen User.`,
        `${OWNER.displayName} removed Company Instagram for Gwen User as collaborator in an access review of Agency One.`,
        `${OWNER.displayName} completed the access review of Agency One: 3 kept, 4 removed.`,
      ]),
    );
  });

  it('a new review can start once the last one closed, and lists what is left', async () => {
    const started = await hugo.post(`/api/v1/partners/${partnerId}/access-reviews`);
    expect(started.statusCode, started.body).toBe(201);
    expect((started.json() as Review).items.map(describeItem)).toEqual([
      `guest Gail Guest: guest_admin by ${OWNER.displayName}`,
      'guest Gwen User: guest_user by Gail Guest',
      'grant Company LinkedIn → Agency One: collaborator by hugo Member',
    ]);
  });
});

describe('the review schedule', () => {
  const patch = (client: TestClient, intervalDays: unknown) =>
    client.request({
      method: 'PATCH',
      url: `/api/v1/partners/${partnerId}/access-review-schedule`,
      payload: { intervalDays },
    });

  it('is set by host admins to 30, 90 or 180 days', async () => {
    expect((await patch(hugo, 45)).statusCode).toBe(400);
    expect((await patch(gail, 90)).statusCode).toBe(403);
    const set = await patch(hugo, 90);
    expect(set.statusCode, set.body).toBe(200);
    const { schedule } = set.json() as { schedule: { intervalDays: number; dueAt: string; overdue: boolean } };
    expect(schedule.intervalDays).toBe(90);
    expect(schedule.overdue).toBe(false);
    // Due 90 days after the last review closed.
    const dueInDays = (Date.parse(schedule.dueAt) - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(89);
    expect(dueInDays).toBeLessThanOrEqual(90);
    expect(((await hugo.get('/api/v1/access-reviews/due')).json() as { due: unknown[] }).due).toEqual([]);
  });

  it('reminds the host admins once when a review comes due, and shows it as due on their dashboard', async () => {
    await t.app.unitOfWork.run((tx) =>
      sql`UPDATE access_review_schedules SET due_at = now() - interval '1 day' WHERE partner_id = ${partnerId}`.execute(
        tx,
      ),
    );
    const deps = { masterKey: t.app.masterKey, keyring: t.app.keyring, publicUrl: t.config.publicUrl };
    // Two servers' reminders at once: only one claims the due date.
    const counts = await Promise.all([
      t.app.unitOfWork.run((tx) => sendDueReviewReminders(tx, deps)),
      t.app.unitOfWork.run((tx) => sendDueReviewReminders(tx, deps)),
    ]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(await t.app.unitOfWork.run((tx) => sendDueReviewReminders(tx, deps))).toBe(0);
    const outbox = (await owner.get('/api/v1/dev/outbox')).json() as {
      messages: Array<{ to: string; subject: string; text: string }>;
    };
    const reminders = outbox.messages.filter((m) => m.subject === 'An access review of Agency One is due');
    expect(reminders.map((m) => m.to)).toEqual(['hugo@acme.test']);
    expect(reminders[0]!.text).toContain(`/app/partners/${partnerId}/access-reviews`);

    const due = (await hugo.get('/api/v1/access-reviews/due')).json() as {
      due: Array<{ partnerName: string; openReviewId: string | null }>;
    };
    expect(due.due).toEqual([expect.objectContaining({ partnerName: 'Agency One', openReviewId: expect.any(String) })]);
    expect(((await mia.get('/api/v1/access-reviews/due')).json() as { due: unknown[] }).due).toEqual([]);
    expect(((await gail.get('/api/v1/access-reviews/due')).json() as { due: unknown[] }).due).toEqual([]);
  });

  it('is turned off with null', async () => {
    const off = await patch(hugo, null);
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toEqual({ schedule: null });
    expect(((await hugo.get('/api/v1/access-reviews/due')).json() as { due: unknown[] }).due).toEqual([]);
  });
});
