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
import { ACCOUNT } from '../helpers/vault.js';
import { parseCsv } from '../helpers/csv.js';

/**
 * The Activity log as each role sees it through the API (SPEC §8): workspace admins everything; a host
 * admin their partner, its guests and the accounts they own; an account owner their accounts; guests
 * their own events. Then filters, cursor paging, sentences with names and the CSV export.
 */

interface Person {
  client: TestClient;
  id: string;
  secret: string;
}

interface Entry {
  id: string;
  action: string;
  group: string | null;
  summary: string;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  partnerId: string | null;
  accountId: string | null;
  details: Record<string, unknown>;
}

let t: TestApp;
let owner: TestClient;
let hugo: Person; // member, host admin of Agency One, owns Instagram and LinkedIn
let mia: Person; // member, owns Payroll, hosts no partner
let ivy: Person; // member, host admin of Other Co
let gail: Person; // guest admin of Agency One
let gus: Person; // guest user of Agency One
let olga: Person; // guest admin of Other Co
let agencyOne: string;
let otherCo: string;
let instagram: string;
let linkedin: string;
let payroll: string;

async function person(client: TestClient): Promise<Person> {
  const { secret } = await turnOnMfa(client);
  return { client, id: (await me(client)).user.id, secret };
}

async function member(email: string): Promise<Person> {
  await addMember(owner, email);
  const client = await signIn(t, email, MEMBER_PASSWORD);
  expect((await client.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  return person(client);
}

async function createAccount(by: Person, name: string): Promise<string> {
  const response = await by.client.post('/api/v1/accounts', { ...ACCOUNT, name });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

async function activity(client: TestClient, query = ''): Promise<Entry[]> {
  const response = await client.get(`/api/v1/activity?limit=1000${query}`);
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json() as { events: Entry[]; nextCursor: string | null };
  expect(body.nextCursor).toBeNull();
  return body.events;
}

const involves = (e: Entry, ids: string[]) =>
  ids.includes(e.actorId ?? '') ||
  (e.targetType === 'user' && ids.includes(e.targetId ?? '')) ||
  ids.includes(String(e.details.userId ?? ''));

beforeAll(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  hugo = await member('hugo@acme.test');
  mia = await member('mia@acme.test');
  ivy = await member('ivy@acme.test');
  agencyOne = (await createPartner(owner, 'Agency One', 'gail@agency.test', [hugo.id])).id;
  gail = await person(
    await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'), {
      givenName: 'Gail',
      familyName: 'Guest',
    }),
  );
  const invited = await gail.client.post(`/api/v1/partners/${agencyOne}/guests`, { email: 'gus@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  gus = await person(
    await completeFirstSignIn(t, await readInvitation(owner, 'gus@agency.test'), {
      givenName: 'Gus',
      familyName: 'User',
    }),
  );
  otherCo = (await createPartner(owner, 'Other Co', 'olga@other.test', [ivy.id])).id;
  olga = await person(
    await completeFirstSignIn(t, await readInvitation(owner, 'olga@other.test'), {
      givenName: 'Olga',
      familyName: 'Other',
    }),
  );

  instagram = await createAccount(hugo, 'Company Instagram');
  linkedin = await createAccount(hugo, 'Company LinkedIn');
  payroll = await createAccount(mia, 'Payroll portal');
  await confirmIdentity(hugo.client, hugo.secret);
  const shared = await hugo.client.post(`/api/v1/partners/${agencyOne}/accounts`, {
    accounts: [
      { accountId: instagram, role: 'manager' },
      { accountId: linkedin, role: 'collaborator' },
    ],
  });
  expect(shared.statusCode, shared.body).toBe(204);
  await confirmIdentity(gail.client, gail.secret);
  const passedOn = await gail.client.post(`/api/v1/accounts/${instagram}/onward-shares`, { userId: gus.id });
  expect(passedOn.statusCode, passedOn.body).toBe(204);
  // A failed sign-in of each guest, and one of Olga's.
  for (const username of ['gus@agency.test', 'olga@other.test']) {
    await t.client().post('/api/v1/auth/sign-in', { workspace: 'acme', username, password: 'not the password' });
  }
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('who sees which events (SPEC §8)', () => {
  it('workspace admins see every event', async () => {
    const all = await activity(owner);
    const stored = await t.database.db.selectFrom('activity_events').select('id').execute();
    expect(all.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());
  });

  it('a host admin sees their partner, its guests and the accounts they own, and nothing else', async () => {
    const seen = await activity(hugo.client);
    // What is theirs to see…
    expect(seen.some((e) => e.action === 'partner.created' && e.partnerId === agencyOne)).toBe(true);
    expect(seen.some((e) => e.action === 'account.access_passed_on' && e.actorId === gail.id)).toBe(true);
    expect(seen.some((e) => e.action === 'auth.signed_in' && e.actorId === gus.id)).toBe(true);
    expect(seen.some((e) => e.action === 'account.created' && e.accountId === instagram)).toBe(true);
    // …and nothing about the other partner, other people's accounts or other members.
    for (const event of seen) {
      expect(event.partnerId === otherCo, event.summary).toBe(false);
      expect(event.accountId === payroll, event.summary).toBe(false);
      expect(
        involves(event, [olga.id, ivy.id, mia.id]) && !involves(event, [hugo.id, gail.id, gus.id]),
        event.summary,
      ).toBe(false);
      const about = [event.actorId, event.targetId, event.partnerId, event.accountId, event.details.userId];
      expect(
        about.some((id) => [hugo.id, gail.id, gus.id, agencyOne, instagram, linkedin].includes(String(id))),
        event.summary,
      ).toBe(true);
    }
  });

  it('an account owner who hosts no partner sees their own events and their account, nothing else', async () => {
    const seen = await activity(mia.client);
    expect(seen.some((e) => e.action === 'account.created' && e.accountId === payroll)).toBe(true);
    for (const event of seen) {
      expect(event.actorId === mia.id || event.accountId === payroll, event.summary).toBe(true);
    }
  });

  it('the host admin of the other partner sees that partner and its guest, not Agency One', async () => {
    const seen = await activity(ivy.client);
    expect(seen.some((e) => e.action === 'auth.sign_in_failed' && involves(e, [olga.id]))).toBe(true);
    for (const event of seen) {
      expect([agencyOne].includes(String(event.partnerId)), event.summary).toBe(false);
      expect(involves(event, [gail.id, gus.id, hugo.id, mia.id]), event.summary).toBe(false);
      expect([instagram, linkedin, payroll].includes(String(event.accountId)), event.summary).toBe(false);
    }
  });

  it('guests see only what they did themselves', async () => {
    for (const guest of [gail, gus, olga]) {
      const seen = await activity(guest.client);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((e) => e.actorId === guest.id)).toBe(true);
    }
    // Gus does not see that Gail passed Instagram on to him, nor his failed sign-in (no actor).
    expect((await activity(gus.client)).some((e) => e.action === 'account.access_passed_on')).toBe(false);
  });
});

describe('filters, paging and words', () => {
  it('filters by partner, account, person and event type, and combines them', async () => {
    const byPartner = await activity(hugo.client, `&partner=${agencyOne}`);
    expect(byPartner.length).toBeGreaterThan(0);
    expect(byPartner.every((e) => e.partnerId === agencyOne)).toBe(true);

    const byAccount = await activity(owner, `&account=${instagram}`);
    expect(byAccount.map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.created', 'account.shared_with_partner', 'account.access_passed_on']),
    );
    expect(byAccount.every((e) => e.accountId === instagram)).toBe(true);

    const aboutGus = await activity(owner, `&person=${gus.id}`);
    expect(aboutGus.length).toBeGreaterThan(0);
    expect(aboutGus.every((e) => involves(e, [gus.id]))).toBe(true);

    const signIns = await activity(owner, '&type=sign-in');
    expect(signIns.length).toBeGreaterThan(0);
    expect(signIns.every((e) => e.action.startsWith('auth.') && e.group === 'sign-in')).toBe(true);

    const both = await activity(owner, `&type=accounts,partners&partner=${agencyOne}`);
    expect(both.map((e) => e.group).sort()).toEqual(expect.arrayContaining(['accounts', 'partners']));
    expect(both.every((e) => e.partnerId === agencyOne && ['accounts', 'partners'].includes(String(e.group)))).toBe(
      true,
    );

    const future = await activity(
      owner,
      `&from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`,
    );
    expect(future).toEqual([]);
  });

  it('pages newest first by cursor, every event once', async () => {
    const all = await activity(owner);
    const paged: Entry[] = [];
    let cursor: string | null = null;
    do {
      const response = await owner.get(`/api/v1/activity?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      const body = response.json() as { events: Entry[]; nextCursor: string | null };
      expect(body.events.length).toBeLessThanOrEqual(7);
      paged.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));

    // A member's scope is read branch by branch (own, owned accounts, hosted partners, their guests):
    // an event in several branches (Hugo sharing his own account with his partner) still comes once.
    const hugos = await activity(hugo.client);
    expect(new Set(hugos.map((e) => e.id)).size).toBe(hugos.length);
    const hugoPaged: Entry[] = [];
    cursor = null;
    do {
      const response = await hugo.client.get(`/api/v1/activity?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const body = response.json() as { events: Entry[]; nextCursor: string | null };
      hugoPaged.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor);
    expect(hugoPaged.map((e) => e.id)).toEqual(hugos.map((e) => e.id));

    const broken = await owner.get('/api/v1/activity?cursor=bm90LWEtY3Vyc29y');
    expect(broken.statusCode).toBe(422);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.json().type).toBe('/api/problems/bad-cursor');
    expect((await owner.get('/api/v1/activity?type=logins')).statusCode).toBe(400);
  });

  it('tells each event as a sentence with names', async () => {
    const seen = await activity(hugo.client, `&account=${instagram}`);
    expect(seen.find((e) => e.action === 'account.access_passed_on')!.summary).toBe(
      'Gail Guest passed Company Instagram on to Gus User.',
    );
    expect(seen.find((e) => e.action === 'account.shared_with_partner')!.summary).toBe(
      'hugo Member shared Company Instagram with Agency One as manager.',
    );
    for (const event of await activity(owner)) expect(event.summary).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});

describe('Export CSV', () => {
  it('streams every matching event with a stable header, the same rows the page lists', async () => {
    const response = await hugo.client.get(`/api/v1/activity/export.csv?partner=${agencyOne}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="gatehouse-activity-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual([
      'occurred_at',
      'event_type',
      'action',
      'summary',
      'actor_name',
      'actor_email',
      'target_type',
      'target_name',
      'partner_name',
      'account_name',
      'ip',
      'user_agent',
      'details',
      'event_id',
      'actor_id',
      'target_id',
      'partner_id',
      'account_id',
    ]);
    const listed = await activity(hugo.client, `&partner=${agencyOne}`);
    expect(rows.map((r) => r[header!.indexOf('event_id')])).toEqual(listed.map((e) => e.id));
    expect(rows.every((r) => r[header!.indexOf('partner_name')] === 'Agency One')).toBe(true);
    const passedOn = rows.find((r) => r[header!.indexOf('action')] === 'account.access_passed_on')!;
    expect(passedOn[header!.indexOf('summary')]).toBe('Gail Guest passed Company Instagram on to Gus User.');
    expect(JSON.parse(passedOn[header!.indexOf('details')]!)).toMatchObject({ userId: gus.id });
  });

  it('gives a guest only their own rows', async () => {
    const [header, ...rows] = parseCsv((await gus.client.get('/api/v1/activity/export.csv')).body);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[header!.indexOf('actor_id')] === gus.id)).toBe(true);
  });
});

describe("an account's Activity tab (SPEC §8)", () => {
  async function accountTab(client: TestClient, accountId: string, query = '') {
    return client.get(`/api/v1/accounts/${accountId}/activity?limit=1000${query}`);
  }

  it("shows its owner the account's whole history in sentences: what others did to it included", async () => {
    const response = await accountTab(hugo.client, instagram);
    expect(response.statusCode, response.body).toBe(200);
    const { events, nextCursor } = response.json() as { events: Entry[]; nextCursor: string | null };
    expect(nextCursor).toBeNull();
    expect(events.every((e) => e.accountId === instagram)).toBe(true);
    expect(events.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        'Gail Guest passed Company Instagram on to Gus User.',
        'hugo Member shared Company Instagram with Agency One as manager.',
        'hugo Member added the account Company Instagram.',
      ]),
    );
    // The same events, in the same order, as the Activity page filtered to this account.
    expect(events.map((e) => e.id)).toEqual((await activity(hugo.client, `&account=${instagram}`)).map((e) => e.id));
  });

  it('pages newest first by cursor, every event once', async () => {
    const all = (await accountTab(hugo.client, instagram)).json().events as Entry[];
    const paged: Entry[] = [];
    let cursor: string | null = null;
    do {
      const response = await hugo.client.get(
        `/api/v1/accounts/${instagram}/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { events: Entry[]; nextCursor: string | null };
      expect(body.events.length).toBeLessThanOrEqual(2);
      paged.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const broken = await accountTab(hugo.client, instagram, '&cursor=bm90LWEtY3Vyc29y');
    expect(broken.statusCode).toBe(422);
    expect(broken.json().type).toBe('/api/problems/bad-cursor');
  });

  it('is refused to guests and members who do not own it, and hidden from those without access', async () => {
    // Gail manages Instagram and Gus uses it: neither owns it, so neither reads its history…
    for (const guest of [gail, gus]) {
      const refused = await accountTab(guest.client, instagram);
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      // …and the Activity page narrowed to it shows them only what they did themselves.
      const own = await activity(guest.client, `&account=${instagram}`);
      expect(own.every((e) => e.actorId === guest.id)).toBe(true);
    }
    expect((await accountTab(gail.client, instagram)).json().detail).toMatch(/owners and workspace admins/);
    // Mia has no access to Instagram at all: it does not exist for her, and the Activity page narrowed to
    // it or to Agency One shows her nothing, nor Ivy, who hosts another partner.
    expect((await accountTab(mia.client, instagram)).statusCode).toBe(404);
    expect(await activity(mia.client, `&account=${instagram}`)).toEqual([]);
    expect(await activity(ivy.client, `&partner=${agencyOne}`)).toEqual([]);
    expect(await activity(ivy.client, `&account=${linkedin}`)).toEqual([]);
    expect((await accountTab(hugo.client, payroll)).statusCode).toBe(404);
  });

  it('shows a workspace admin who can open the account its whole history', async () => {
    await confirmIdentity(hugo.client, hugo.secret);
    const ownerId = (await me(owner)).user.id;
    const shared = await hugo.client.post(`/api/v1/accounts/${instagram}/members`, {
      userId: ownerId,
      role: 'collaborator',
    });
    expect(shared.statusCode, shared.body).toBe(204);
    await turnOnMfa(owner);
    const response = await accountTab(owner, instagram);
    expect(response.statusCode, response.body).toBe(200);
    const events = response.json().events as Entry[];
    expect(events.map((e) => e.id)).toEqual((await activity(hugo.client, `&account=${instagram}`)).map((e) => e.id));
    expect(events[0]!.summary).toMatch(/^hugo Member shared Company Instagram with .+ as collaborator\.$/);
  });
});
