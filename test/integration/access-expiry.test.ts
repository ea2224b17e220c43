import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpWorkspace } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { TestClock } from '../helpers/clock.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  readInvitation,
  signIn,
} from '../helpers/partners.js';
import { createTwoInstances, type TwoInstances } from '../helpers/two-instances.js';
import { ACCOUNT } from '../helpers/vault.js';
import { endExpiredGrants, endExpiredGuests, warnOfEndingAccess } from '../../src/services/access-expiry.js';

/**
 * Access that ends (SPEC §8a): a share's **Access until** and a guest's **Guest access ends on**. The
 * access check itself honours the moment, so a grant past its end is refused on the very next request
 * to any instance before any job has run. Instance B's clock is moved forward here while instance A
 * keeps real time: B refuses, A (same database, same rows) still serves, which shows the check reads
 * the date and not a row some job changed. Then the sweeper ends the grant or guest with the expiry as
 * the cause, and the seven-day warning goes out once.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SESSION_COOKIE = 'gatehouse_session';

interface Person {
  id: string;
  onA: TestClient;
  onB: TestClient;
  secret: string;
}

let two: TwoInstances;
let clockOfB: TestClock;
let owner: Person;
let mia: Person;
let gail: Person;
let gus: Person;
let partnerId: string;

/** The same browser session, routed to instance B. */
function alsoOnB(client: TestClient): TestClient {
  const onB = two.second.client();
  onB.setCookie(SESSION_COOKIE, client.cookie(SESSION_COOKIE)!);
  return onB;
}

async function ready(client: TestClient): Promise<Person> {
  const { secret } = await turnOnMfa(client);
  return { id: (await me(client)).user.id, onA: client, onB: alsoOnB(client), secret };
}

async function createAccount(name: string): Promise<string> {
  const created = await owner.onA.post('/api/v1/accounts', { ...ACCOUNT, name });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

const put = (client: TestClient, url: string, payload: unknown) => client.request({ method: 'PUT', url, payload });
const inMinutes = (clock: { now(): number }, minutes: number) => new Date(clock.now() + minutes * MINUTE).toISOString();
const opens = async (client: TestClient, accountId: string) =>
  (await client.get(`/api/v1/accounts/${accountId}`)).statusCode;

beforeAll(async () => {
  clockOfB = new TestClock();
  two = await createTwoInstances({ secondClock: clockOfB });
  const ownerClient = await setUpWorkspace(two.first);
  owner = await ready(ownerClient);
  await addMember(owner.onA, 'mia@acme.test');
  const miaClient = await signIn(two.first, 'mia@acme.test', MEMBER_PASSWORD);
  expect((await miaClient.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
  mia = await ready(miaClient);
  partnerId = (await createPartner(owner.onA, 'Agency One', 'gail@agency.test', [owner.id])).id;
  gail = await ready(await completeFirstSignIn(two.first, await readInvitation(owner.onA, 'gail@agency.test')));
  const invited = await gail.onA.post(`/api/v1/partners/${partnerId}/guests`, { email: 'gus@agency.test' });
  expect(invited.statusCode, invited.body).toBe(201);
  gus = await ready(
    await completeFirstSignIn(two.first, await readInvitation(owner.onA, 'gus@agency.test'), {
      givenName: 'Gus',
      familyName: 'Guest',
    }),
  );
  await confirmIdentity(owner.onA, owner.secret);
  await confirmIdentity(gail.onA, gail.secret);
}, 120_000);
afterAll(async () => {
  await two?.close();
});

describe('Access until (SPEC §8a)', () => {
  it('ends a share on the next request on another instance before any job runs, then the sweeper records the expiry', async () => {
    const accountId = await createAccount('Company Instagram');
    const shares = [
      await owner.onA.post(`/api/v1/partners/${partnerId}/accounts`, {
        accounts: [{ accountId, role: 'manager' }],
        accessUntil: inMinutes(clockOfB, 10),
      }),
      await gail.onA.post(`/api/v1/accounts/${accountId}/onward-shares`, { userId: gus.id }),
      await owner.onA.post(`/api/v1/accounts/${accountId}/members`, {
        userId: mia.id,
        role: 'collaborator',
        accessUntil: inMinutes(clockOfB, 30),
      }),
    ];
    for (const share of shares) expect(share.statusCode, share.body).toBe(204);
    for (const person of [gail, gus, mia]) expect(await opens(person.onB, accountId)).toBe(200);
    const access = await owner.onA.get(`/api/v1/accounts/${accountId}/access`);
    const partnerEntry = (access.json().entries as Array<{ kind: string; accessUntil: string | null }>).find(
      (entry) => entry.kind === 'partner',
    );
    expect(partnerEntry?.accessUntil).toMatch(/^\d{4}-\d\d-\d\dT/);

    clockOfB.advance(11 * MINUTE);

    // B judges by its clock: the partner share has ended, and Gus's onward share hangs from it.
    expect(await opens(gail.onB, accountId)).toBe(404);
    expect(await opens(gus.onB, accountId)).toBe(404);
    const gailsList = await gail.onB.get('/api/v1/accounts');
    expect(JSON.stringify(gailsList.json())).not.toContain(accountId);
    // Mia's share ends later; A, on real time, still serves the same rows: nothing has been deleted yet.
    expect(await opens(mia.onB, accountId)).toBe(200);
    expect(await opens(gail.onA, accountId)).toBe(200);

    const ended = await two.first.app.unitOfWork.run((tx) => endExpiredGrants(tx, new Date(clockOfB.now())));
    expect(ended).toBe(1);
    expect(await opens(gail.onA, accountId)).toBe(404);
    expect(await opens(gus.onA, accountId)).toBe(404);
    expect(await opens(mia.onA, accountId)).toBe(200);
    const again = await two.first.app.unitOfWork.run((tx) => endExpiredGrants(tx, new Date(clockOfB.now())));
    expect(again).toBe(0);

    const log = await owner.onA.get(`/api/v1/activity?account=${accountId}&limit=50`);
    expect(log.statusCode, log.body).toBe(200);
    const expired = (
      log.json().events as Array<{
        action: string;
        actorId: string | null;
        summary: string;
        details: Record<string, unknown>;
      }>
    ).filter((event) => event.action === 'account.access_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actorId: null, details: { partnerId, cause: 'expiry', role: 'manager' } });
    expect(expired[0]!.summary).toBe(
      'The access of Agency One to Company Instagram ended: its access-until date came.',
    );
  });

  it('refuses an end that is not in the future, under its field', async () => {
    const accountId = await createAccount('Company LinkedIn');
    const response = await owner.onA.post(`/api/v1/accounts/${accountId}/members`, {
      userId: mia.id,
      role: 'collaborator',
      accessUntil: new Date(Date.now() - DAY).toISOString(),
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([{ path: 'accessUntil', message: expect.stringMatching(/future/) }]);
    const garbled = await owner.onA.post(`/api/v1/partners/${partnerId}/accounts`, {
      accounts: [{ accountId, role: 'collaborator' }],
      accessUntil: 'next tuesday',
    });
    expect(garbled.statusCode).toBe(400);
    expect(await opens(mia.onA, accountId)).toBe(404);
  });
});

describe('Guest access ends on (SPEC §8a)', () => {
  it('only host admins set it, when inviting or later', async () => {
    const byGuestAdmin = await put(gail.onA, `/api/v1/partners/${partnerId}/guests/${gus.id}/access-end`, {
      accessEndsAt: inMinutes(clockOfB, 60 * 24),
    });
    expect(byGuestAdmin.statusCode).toBe(403);
    const inviting = await gail.onA.post(`/api/v1/partners/${partnerId}/guests`, {
      email: 'guy@agency.test',
      accessEndsAt: inMinutes(clockOfB, 60 * 24),
    });
    expect(inviting.statusCode).toBe(403);
    const byHost = await owner.onA.post(`/api/v1/partners/${partnerId}/guests`, {
      email: 'gwen@agency.test',
      accessEndsAt: inMinutes(clockOfB, 60 * 24 * 30),
    });
    expect(byHost.statusCode, byHost.body).toBe(201);
    const detail = await owner.onA.get(`/api/v1/partners/${partnerId}`);
    const gwen = (detail.json().members as Array<{ email: string; accessEndsAt: string | null }>).find(
      (member) => member.email === 'gwen@agency.test',
    );
    expect(gwen?.accessEndsAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('signs the guest out on the next request on another instance, tells them at sign-in, and the sweeper offboards them', async () => {
    const set = await put(owner.onA, `/api/v1/partners/${partnerId}/guests/${gus.id}/access-end`, {
      accessEndsAt: inMinutes(clockOfB, 5),
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await gus.onB.get('/api/v1/auth/session')).statusCode).toBe(200);

    clockOfB.advance(6 * MINUTE);

    expect((await gus.onB.get('/api/v1/auth/session')).statusCode).toBe(401);
    expect((await gus.onA.get('/api/v1/auth/session')).statusCode).toBe(200);
    const signingIn = await two.second
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'acme', username: 'gus@agency.test', password: GUEST_PASSWORD });
    expect(signingIn.statusCode).toBe(401);
    expect(signingIn.json()).toMatchObject({ type: '/api/problems/guest-access-ended' });
    expect(signingIn.json().detail).toMatch(/^Your guest access ended on .+ Ask the person who invited you/);
    const wrongPassword = await two.second
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'acme', username: 'gus@agency.test', password: 'not it at all' });
    expect(wrongPassword.json().type).toBe('/api/problems/invalid-credentials');

    const ended = await two.first.app.unitOfWork.run((tx) => endExpiredGuests(tx, new Date(clockOfB.now())));
    expect(ended).toBe(1);
    expect((await gus.onA.get('/api/v1/auth/session')).statusCode).toBe(401);
    const detail = await owner.onA.get(`/api/v1/partners/${partnerId}`);
    expect(JSON.stringify(detail.json().members)).not.toContain('gus@agency.test');
    const log = await owner.onA.get(`/api/v1/activity?person=${gus.id}&limit=50`);
    const summaries = (log.json().events as Array<{ action: string; summary: string }>).map((event) => event.action);
    expect(summaries).toContain('partner.guest_access_ended');
    expect(summaries).toContain('partner.guest_access_end_set');
  });
});

describe('the seven-day warning (SPEC §8a)', () => {
  it('emails the sponsor and host admins once per end date', async () => {
    // Mia's share of the first test ends within seven days too: warned of here, before the endings below.
    const sweep = () => two.first.app.unitOfWork.run((tx) => warnOfEndingAccess(tx, new Date()));
    expect(await sweep()).toBe(1);
    const accountId = await createAccount('Ad manager');
    const share = (days: number) =>
      owner.onA.post(`/api/v1/partners/${partnerId}/accounts`, {
        accounts: [{ accountId, role: 'collaborator' }],
        accessUntil: new Date(Date.now() + days * DAY).toISOString(),
      });
    expect((await share(6)).statusCode).toBe(204);
    const farOff = await put(owner.onA, `/api/v1/partners/${partnerId}/guests/${gail.id}/access-end`, {
      accessEndsAt: new Date(Date.now() + 6 * DAY).toISOString(),
    });
    expect(farOff.statusCode, farOff.body).toBe(200);

    const warnings = async () => {
      const outbox = await owner.onA.get('/api/v1/dev/outbox');
      expect(outbox.statusCode, outbox.body).toBe(200);
      return (outbox.json().messages as Array<{ to: string; subject: string; text: string }>).filter(
        (m) => m.subject === 'Access ends in seven days on Gatehouse',
      );
    };
    expect(await sweep()).toBe(2);
    expect(await sweep()).toBe(0);
    const sent = await warnings();
    expect(sent.map((m) => m.to).sort()).toEqual(['ada@acme.test', 'ada@acme.test', 'ada@acme.test', 'mia@acme.test']);
    expect(sent.some((m) => m.text.includes("Agency One's access to Ad manager ends on"))).toBe(true);
    expect(sent.some((m) => m.text.includes('The guest access of Gina Guest (Agency One) ends on'))).toBe(true);

    // A new date is a new decision: it is warned of anew (once).
    expect((await share(5)).statusCode).toBe(204);
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    expect(await warnings()).toHaveLength(5);
  });
});
