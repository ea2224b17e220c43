import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
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
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * **Review access** for an account (SPEC §8a): its owners list every grant on it (shares with members, the
 * partner share, the onward share a guest manager made from it), decide each **Keep** or **Remove**;
 * Remove ends the grant as the Users tab does, on the next request; the review closes when all are decided
 * and keeps who decided what; one open review per account; nobody else may review it.
 */

interface ReviewItem {
  id: string;
  holderKind: 'member' | 'guest' | 'partner';
  holderName: string;
  role: string;
  grantedBy: string | null;
  lastUsedAt: string | null;
  accessUntil: string | null;
  sharedVia: string | null;
  decision: 'keep' | 'remove' | null;
  decidedBy: string | null;
  endedWith: string | null;
  ended: boolean;
}
interface Review {
  id: string;
  account: { id: string; name: string } | null;
  partner: unknown;
  status: 'open' | 'closed';
  closedAt: string | null;
  items: ReviewItem[];
}

const ACCESS_UNTIL = '2099-06-30T00:00:00.000Z';

let t: TestApp;
let owner: TestClient;
let hugo: TestClient;
let nina: TestClient;
let mia: TestClient;
let gail: TestClient;
let gus: TestClient;
let accountId: string;
let review: Review;

const describeItem = (i: ReviewItem) => `${i.holderKind} ${i.holderName}: ${i.role} by ${i.grantedBy ?? '-'}`;
const item = (text: string) => review.items.find((i) => describeItem(i).startsWith(text))!;
const decide = (client: TestClient, target: ReviewItem, decision: 'keep' | 'remove') =>
  client.post(`/api/v1/access-reviews/${review.id}/items/${target.id}/decision`, { decision });
const accountNames = async (client: TestClient) =>
  ((await client.get('/api/v1/accounts')).json() as { accounts: Array<{ name: string }> }).accounts
    .map((a) => a.name)
    .sort();

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  await turnOnMfa(owner);
  const ninaId = await addMember(owner, 'nina@acme.test');
  const miaId = await addMember(owner, 'mia@acme.test');
  await addMember(owner, 'hugo@acme.test');
  hugo = await signIn(t, 'hugo@acme.test', MEMBER_PASSWORD);
  nina = await signIn(t, 'nina@acme.test', MEMBER_PASSWORD);
  mia = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
  for (const client of [hugo, nina, mia])
    expect((await client.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  const hugoSecret = (await turnOnMfa(hugo)).secret;
  await turnOnMfa(nina);
  await turnOnMfa(mia);
  const hugoId = (await me(hugo)).user.id;
  const partnerId = (await createPartner(owner, 'Agency One', 'gail@agency.test', [hugoId])).id;
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
  const gusId = (await me(gus)).user.id;

  // hugo owns the account; he shares it with nina as owner, with mia as collaborator until a date, and
  // with Agency One as manager; Gail, its guest admin, passes it on to Gus.
  accountId = ((await hugo.post('/api/v1/accounts', ACCOUNT)).json() as { id: string }).id;
  await confirmIdentity(hugo, hugoSecret);
  for (const share of [
    { userId: ninaId, role: 'owner' },
    { userId: miaId, role: 'collaborator', accessUntil: ACCESS_UNTIL },
  ]) {
    const shared = await hugo.post(`/api/v1/accounts/${accountId}/members`, share);
    expect(shared.statusCode, shared.body).toBe(204);
  }
  const shared = await hugo.post(`/api/v1/partners/${partnerId}/accounts`, {
    accounts: [{ accountId, role: 'manager' }],
  });
  expect(shared.statusCode, shared.body).toBe(204);
  await confirmIdentity(gail, gailSecret);
  const passedOn = await gail.post(`/api/v1/accounts/${accountId}/onward-shares`, { userId: gusId });
  expect(passedOn.statusCode, passedOn.body).toBe(204);

  // mia uses the account (a TOTP code, on a trusted device): her grant has a last use.
  await trustDevice(mia, owner);
  expect((await mia.post(`/api/v1/accounts/${accountId}/totp-code`)).statusCode).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('who may review an account’s access', () => {
  it('its owners only: people who can use it otherwise are refused, everyone else finds nothing', async () => {
    for (const client of [hugo, nina]) {
      expect((await client.get(`/api/v1/accounts/${accountId}/access-reviews`)).statusCode).toBe(200);
    }
    // mia is a collaborator, Gail a manager through the partner share, Gus a collaborator by onward share.
    for (const client of [mia, gail, gus]) {
      expect((await client.get(`/api/v1/accounts/${accountId}/access-reviews`)).statusCode).toBe(403);
      const started = await client.post(`/api/v1/accounts/${accountId}/access-reviews`);
      expect(started.statusCode).toBe(403);
      expect(started.headers['content-type']).toContain('application/problem+json');
    }
    // The workspace owner cannot use the account, so for them it does not exist.
    expect((await owner.post(`/api/v1/accounts/${accountId}/access-reviews`)).statusCode).toBe(404);
    const bad = await hugo.post('/api/v1/accounts/not-an-id/access-reviews');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(
      ((await hugo.get(`/api/v1/accounts/${accountId}/access-reviews`)).json() as { reviews: [] }).reviews,
    ).toEqual([]);
  });
});

describe('an account’s access review', () => {
  it('two owners starting at once get the same review, listing every grant with role and last use', async () => {
    const [first, second] = await Promise.all([
      hugo.post(`/api/v1/accounts/${accountId}/access-reviews`),
      nina.post(`/api/v1/accounts/${accountId}/access-reviews`),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 201]);
    review = first.json();
    expect((second.json() as Review).id).toBe(review.id);
    expect(review.account).toEqual({ id: accountId, name: ACCOUNT.name });
    expect(review.partner).toBeNull();
    expect(review.status).toBe('open');
    expect(review.items.map(describeItem)).toEqual([
      'member hugo Member: owner by hugo Member',
      'member nina Member: owner by hugo Member',
      'member mia Member: collaborator by hugo Member',
      'partner Agency One: manager by hugo Member',
      'guest Gus User: collaborator by Gail Guest',
    ]);
    expect(item('member mia Member').lastUsedAt).not.toBeNull();
    expect(item('member mia Member').accessUntil).toBe(ACCESS_UNTIL);
    expect(item('member nina Member')).toMatchObject({ lastUsedAt: null, accessUntil: null });
    expect(item('guest Gus User').sharedVia).toBe('Agency One');
    expect(review.items.every((i) => i.decision === null && !i.ended)).toBe(true);
    // Starting again while it is open opens the same review.
    const again = await nina.post(`/api/v1/accounts/${accountId}/access-reviews`);
    expect(again.statusCode).toBe(200);
    expect((again.json() as Review).id).toBe(review.id);
  });

  it('is read and decided by the account’s owners only', async () => {
    expect((await nina.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(200);
    for (const client of [mia, gail, gus]) {
      expect((await client.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(403);
      const refused = await decide(client, item('member mia Member'), 'remove');
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
    expect((await owner.get(`/api/v1/access-reviews/${review.id}`)).statusCode).toBe(404);
    const bad = await hugo.post(`/api/v1/access-reviews/${review.id}/items/${review.items[0]!.id}/decision`, {
      decision: 'later',
    });
    expect(bad.statusCode).toBe(400);
    expect(await accountNames(mia)).toEqual([ACCOUNT.name]);
  });

  it('Remove on the partner share ends the onward share too: its guests lose the account on the next request', async () => {
    expect(await accountNames(gail)).toEqual([ACCOUNT.name]);
    expect(await accountNames(gus)).toEqual([ACCOUNT.name]);
    const removed = await decide(nina, item('partner Agency One'), 'remove');
    expect(removed.statusCode, removed.body).toBe(200);
    review = removed.json();
    expect(await accountNames(gail)).toEqual([]);
    expect(await accountNames(gus)).toEqual([]);
    expect((await gus.get(`/api/v1/accounts/${accountId}`)).statusCode).toBe(404);
    expect(item('partner Agency One')).toMatchObject({ decision: 'remove', decidedBy: 'nina Member', ended: true });
    expect(item('guest Gus User')).toMatchObject({
      decision: 'remove',
      decidedBy: 'nina Member',
      endedWith: `${ACCOUNT.name} for Agency One`,
      ended: true,
    });
    // The Users tab no longer lists them either.
    const access = (await hugo.get(`/api/v1/accounts/${accountId}/access`)).json() as {
      entries: Array<{ name: string }>;
    };
    expect(access.entries.map((e) => e.name).sort()).toEqual(['hugo Member', 'mia Member', 'nina Member']);
  });

  it('Keep leaves access as it is; Remove on a member share takes the account from that member', async () => {
    const kept = await decide(nina, item('member hugo Member'), 'keep');
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await decide(hugo, item('member hugo Member'), 'keep')).statusCode).toBe(409);
    expect((await decide(hugo, item('member mia Member'), 'remove')).statusCode).toBe(200);
    expect(await accountNames(mia)).toEqual([]);
    expect(await accountNames(hugo)).toEqual([ACCOUNT.name]);
  });

  it('closes when every item is decided, and keeps who decided what', async () => {
    const last = await decide(hugo, item('member nina Member'), 'keep');
    expect(last.statusCode, last.body).toBe(200);
    review = last.json();
    expect(review.status).toBe('closed');
    expect(review.closedAt).not.toBeNull();
    expect(review.items.map((i) => `${describeItem(i)} → ${i.decision} (${i.decidedBy})`)).toEqual([
      'member hugo Member: owner by hugo Member → keep (nina Member)',
      'member nina Member: owner by hugo Member → keep (hugo Member)',
      'member mia Member: collaborator by hugo Member → remove (hugo Member)',
      'partner Agency One: manager by hugo Member → remove (nina Member)',
      'guest Gus User: collaborator by Gail Guest → remove (nina Member)',
    ]);
    // A closed review stays as it was decided, and reads the same to the other owner.
    const after = await decide(nina, item('member hugo Member'), 'remove');
    expect(after.statusCode).toBe(409);
    expect(((await nina.get(`/api/v1/access-reviews/${review.id}`)).json() as Review).items).toEqual(review.items);
    const list = (await nina.get(`/api/v1/accounts/${accountId}/access-reviews`)).json() as {
      reviews: Array<{ status: string; startedBy: string; items: number; decided: number; removed: number }>;
    };
    expect(list.reviews).toEqual([
      expect.objectContaining({ status: 'closed', startedBy: expect.any(String), items: 5, decided: 5, removed: 3 }),
    ]);
  });

  it('writes its activity on the account: started, each decision, the removals, closed', async () => {
    const response = await hugo.get(`/api/v1/accounts/${accountId}/activity?limit=100`);
    expect(response.statusCode, response.body).toBe(200);
    const summaries = (response.json() as { events: Array<{ summary: string }> }).events.map((e) => e.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(hugo|nina) Member started an access review of Company Instagram\.$/),
        `nina Member removed Agency One as manager of ${ACCOUNT.name} in an access review.`,
        `nina Member removed ${ACCOUNT.name} from Agency One.`,
        `nina Member kept hugo Member as owner of ${ACCOUNT.name} in an access review.`,
        `hugo Member removed mia Member as collaborator of ${ACCOUNT.name} in an access review.`,
        `hugo Member removed access to ${ACCOUNT.name} from mia Member.`,
        `hugo Member completed the access review of ${ACCOUNT.name}: 2 kept, 3 removed.`,
      ]),
    );
    expect(summaries.filter((s) => s.includes('started an access review'))).toHaveLength(1);
  });

  it('a new review can start once the last one closed, and lists what is left', async () => {
    const started = await nina.post(`/api/v1/accounts/${accountId}/access-reviews`);
    expect(started.statusCode, started.body).toBe(201);
    expect((started.json() as Review).items.map(describeItem)).toEqual([
      'member hugo Member: owner by hugo Member',
      'member nina Member: owner by hugo Member',
    ]);
  });
});
