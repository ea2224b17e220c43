import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import {
  chainPendingEvents,
  checkChainSinceCheckpoint,
  verifyActivityChain,
} from '../../src/services/activity-chain.js';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { createTwoInstances } from '../helpers/two-instances.js';
import { waitFor } from '../helpers/wait.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, MEMBER_PASSWORD, signIn as signInAs } from '../helpers/partners.js';

/**
 * The activity log's tamper evidence (SPEC §8), with the chain built after commit (issue 15): requests
 * only insert MACed events; the chaining step links them. Tampering is done as an attacker with write
 * access to the database would: the append-only trigger switched off, rows changed directly.
 */

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const chain = () => chainPendingEvents(t.app.unitOfWork, t.app.keyring);
const verify = async () => verifyActivityChain(t.database.db, t.app.keyring, await workspaceId());
const workspaceId = async () =>
  (await t.database.db.selectFrom('workspaces').select('id').where('slug', '=', 'acme').executeTakeFirstOrThrow()).id;

/** Some real activity: set-up, sign-ins (one failed), sign-outs. */
async function someActivity(rounds = 3): Promise<void> {
  await setUpWorkspace(t);
  for (let i = 0; i < rounds; i += 1) {
    const browser = t.client();
    await browser.post('/api/v1/auth/sign-in', {
      workspace: 'acme',
      username: OWNER.email,
      password: 'wrong password!',
    });
    await browser.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
    await browser.post('/api/v1/auth/sign-out', {});
  }
}

async function events() {
  return t.database.db
    .selectFrom('activity_events')
    .select(['seq', 'id', 'action', 'chain_position', 'hash'])
    .where('workspace_id', '=', await workspaceId())
    .orderBy('seq')
    .execute();
}

/** What an attacker with database write access does: switch the append-only trigger off, then write. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE activity_events DISABLE TRIGGER activity_events_no_update_or_delete`.execute(t.database.db);
  try {
    await statement.execute(t.database.db);
  } finally {
    await sql`ALTER TABLE activity_events ENABLE TRIGGER activity_events_no_update_or_delete`.execute(t.database.db);
  }
}

describe('the activity chain, built after commit', () => {
  it('records events without linking them, then links every one once, in a chain that verifies', async () => {
    await someActivity();
    const before = await events();
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(before.every((e) => e.chain_position === null && e.hash === null)).toBe(true);
    expect(await verify()).toMatchObject({ chained: 0, pending: before.length, problem: null });

    expect(await chain()).toBe(before.length);
    expect(await chain()).toBe(0);
    const after = await events();
    expect(after.map((e) => Number(e.chain_position))).toEqual(after.map((_, i) => i + 1));
    const report = await verify();
    expect(report).toMatchObject({ chained: before.length, pending: 0, problem: null });
    expect(report.head).toEqual({ position: String(before.length), hash: after.at(-1)!.hash });
  });

  it('still refuses to edit or delete an event through the application', async () => {
    await someActivity(1);
    await chain();
    const [first] = await events();
    await expect(
      t.database.db
        .updateTable('activity_events')
        .set({ action: 'nothing.happened' })
        .where('seq', '=', first!.seq)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(t.database.db.deleteFrom('activity_events').where('seq', '=', first!.seq).execute()).rejects.toThrow(
      /append-only/,
    );
    // Relinking a linked event is refused as well: only a pending event may be linked, once.
    await expect(
      t.database.db
        .updateTable('activity_events')
        .set({ chain_position: '999' })
        .where('seq', '=', first!.seq)
        .execute(),
    ).rejects.toThrow(/append-only/);
  });

  it('names a linked event that was edited', async () => {
    await someActivity();
    await chain();
    const target = (await events()).find((e) => e.action === 'auth.sign_in_failed')!;
    await tamper(sql`UPDATE activity_events SET details = '{"reason":"nothing to see"}' WHERE seq = ${target.seq}`);
    expect((await verify()).problem).toMatchObject({ kind: 'edited', eventId: target.id });
  });

  it('names the event after a deleted one', async () => {
    await someActivity();
    await chain();
    const all = await events();
    await tamper(sql`DELETE FROM activity_events WHERE seq = ${all[4]!.seq}`);
    const { problem } = await verify();
    expect(problem).toMatchObject({ kind: 'missing', eventId: all[5]!.id });
    expect(problem!.message).toContain('missing from the chain (deleted): positions 5');
  });

  it('detects two events swapped in the order the log shows (their seq exchanged)', async () => {
    await someActivity();
    await chain();
    const all = await events();
    const [a, b] = [all[2]!, all[3]!];
    await tamper(sql`UPDATE activity_events SET seq = -1 WHERE seq = ${a.seq}`);
    await tamper(sql`UPDATE activity_events SET seq = ${a.seq} WHERE seq = ${b.seq}`);
    await tamper(sql`UPDATE activity_events SET seq = ${b.seq} WHERE seq = -1`);
    expect((await verify()).problem).toMatchObject({ kind: 'moved', eventId: a.id });
  });

  it('detects an event moved to another place in the chain', async () => {
    await someActivity();
    await chain();
    const all = await events();
    await tamper(sql`UPDATE activity_events SET chain_position = -1 WHERE seq = ${all[6]!.seq}`);
    await tamper(sql`UPDATE activity_events SET chain_position = 7 WHERE seq = ${all[7]!.seq}`);
    await tamper(sql`UPDATE activity_events SET chain_position = 8 WHERE seq = ${all[6]!.seq}`);
    expect((await verify()).problem).toMatchObject({ kind: 'moved', eventId: all[7]!.id });
  });

  it('detects an event edited before it was linked, before and after linking', async () => {
    await someActivity();
    const pending = (await events()).find((e) => e.action === 'auth.sign_in_failed')!;
    await tamper(sql`UPDATE activity_events SET ip = '203.0.113.9' WHERE seq = ${pending.seq}`);
    expect((await verify()).problem).toMatchObject({ kind: 'edited', eventId: pending.id, position: null });

    await chain();
    expect((await verify()).problem).toMatchObject({ kind: 'edited', eventId: pending.id });
  });

  it('detects an event whose MAC was removed, linked or not', async () => {
    await someActivity();
    const pending = (await events()).at(-1)!;
    await tamper(sql`UPDATE activity_events SET mac = NULL WHERE seq = ${pending.seq}`);
    expect((await verify()).problem).toMatchObject({ kind: 'unsigned', eventId: pending.id });
    await chain();
    expect((await verify()).problem).toMatchObject({ kind: 'unsigned', eventId: pending.id });
  });

  it('an edit that recomputes the link without the key is still caught', async () => {
    await someActivity();
    await chain();
    const last = (await events()).at(-1)!;
    // Without the workspace key the attacker can only write some other hash.
    await tamper(sql`UPDATE activity_events SET hash = md5(hash) || md5(hash) WHERE seq = ${last.seq}`);
    expect((await verify()).problem).toMatchObject({ kind: 'moved', eventId: last.id });
  });

  it('links events of concurrent sign-ins once each, whatever the order they commit in', async () => {
    await setUpWorkspace(t);
    const signIn = () =>
      t.client().post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
    // Chaining steps run while sign-ins commit: some events are linked mid-way, later ones after. (Four at
    // a time: more concurrent attempts on one account than that meet the account's attempt limit.)
    for (let round = 0; round < 2; round += 1) {
      await Promise.all([signIn(), chain(), signIn(), chain(), signIn(), signIn()]);
    }
    await chain();
    const all = await events();
    // Set-up signs the owner in too.
    expect(all.filter((e) => e.action === 'auth.signed_in')).toHaveLength(1 + 8);
    const positions = all.map((e) => Number(e.chain_position)).sort((a, b) => a - b);
    expect(positions).toEqual(all.map((_, i) => i + 1));
    expect(await verify()).toMatchObject({ pending: 0, problem: null });
  });

  it('once started, the server links what it records within moments', async () => {
    t.app.activityChainer.start();
    await someActivity(1);
    await waitFor(async () => (await events()).every((e) => e.chain_position !== null), 'every event linked');
    expect((await verify()).problem).toBeNull();
  });
});

describe("the Activity page's tamper check", () => {
  const signIn = () =>
    t.client().post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
  const check = async (owner: TestClient) => {
    const response = await owner.get('/api/v1/activity/chain');
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { verifies: boolean; verifiedThrough: string | null; pending: number; problem: unknown };
  };

  it('checks what was added since its last check, and names an edit made after it', async () => {
    const owner = await setUpWorkspace(t);
    await chain();
    const linked = (await events()).length;
    expect(await check(owner)).toMatchObject({ verifies: true, verifiedThrough: String(linked), pending: 0 });

    await signIn();
    await signIn();
    // Not linked yet: checked by their MAC, the checkpoint stays where it was.
    const pending = (await events()).length - linked;
    expect(await check(owner)).toMatchObject({ verifies: true, verifiedThrough: String(linked), pending });
    await chain();
    expect(await check(owner)).toMatchObject({ verifies: true, verifiedThrough: String(linked + pending), pending: 0 });

    await signIn();
    await chain();
    const newest = (await events()).at(-1)!;
    await tamper(sql`UPDATE activity_events SET ip = '203.0.113.50' WHERE seq = ${newest.seq}`);
    expect(await check(owner)).toMatchObject({ verifies: false, problem: { kind: 'edited', eventId: newest.id } });
  });

  it('leaves what it checked before to the full walk', async () => {
    const owner = await setUpWorkspace(t);
    await signIn();
    await chain();
    expect((await check(owner)).verifies).toBe(true);
    const first = (await events())[0]!;
    await tamper(sql`UPDATE activity_events SET ip = '203.0.113.51' WHERE seq = ${first.seq}`);
    // The page's check starts at its checkpoint; `gatehouse activity verify` walks everything and names it.
    expect((await check(owner)).verifies).toBe(true);
    expect((await verify()).problem).toMatchObject({ kind: 'edited', eventId: first.id });
  });

  it('is for the workspace owner and admins', async () => {
    const owner = await setUpWorkspace(t);
    await addMember(owner, 'max@acme.test');
    const member = await signInAs(t, 'max@acme.test', MEMBER_PASSWORD);
    expect((await member.post('/api/v1/terms/accept', { version: 1 })).statusCode).toBe(204);
    const refused = await member.get('/api/v1/activity/chain');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('/api/problems/forbidden');
  });

  it('is refused by the service itself, whoever calls it, before it reads or moves the checkpoint', async () => {
    const owner = await setUpWorkspace(t);
    await addMember(owner, 'max@acme.test');
    await chain();
    const actorOf = async (email: string): Promise<Actor> => {
      const user = await t.database.db
        .selectFrom('users')
        .select(['id', 'workspace_id', 'role', 'status'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      return { userId: user.id, workspaceId: user.workspace_id, role: user.role, status: user.status };
    };
    const checkpoints = () => t.database.db.selectFrom('activity_chain_checkpoints').selectAll().execute();

    const member = await actorOf('max@acme.test');
    await expect(checkChainSinceCheckpoint(t.app.unitOfWork, t.app.keyring, member)).rejects.toMatchObject({
      status: 403,
      type: 'forbidden',
    });
    expect(await checkpoints()).toEqual([]);

    const admin = { ...member, role: 'admin' as const };
    expect(await checkChainSinceCheckpoint(t.app.unitOfWork, t.app.keyring, admin)).toMatchObject({ verifies: true });
    expect(await checkpoints()).toHaveLength(1);
  });
});

describe('two server instances on one database', () => {
  it('link events recorded on both into one chain, each event once', async () => {
    await t.close();
    const instances = await createTwoInstances();
    t = instances.first;
    try {
      await setUpWorkspace(t);
      instances.first.app.activityChainer.start();
      instances.second.app.activityChainer.start();
      // Each sign-in from a browser of its own (a client's first request fetches its CSRF token), four at a
      // time (the account's attempt limit counts attempts in flight).
      const signIn = (instance: { client: TestApp['client'] }) =>
        instance
          .client()
          .post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password });
      const statuses: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        const answers = await Promise.all(
          [instances.first, instances.second, instances.first, instances.second].map(signIn),
        );
        statuses.push(...answers.map((answer) => answer.statusCode));
      }
      expect(statuses).toEqual(Array(12).fill(200));
      await waitFor(async () => (await events()).every((e) => e.chain_position !== null), 'every event linked');
      const all = await events();
      expect(all.filter((e) => e.action === 'auth.signed_in')).toHaveLength(1 + 12);
      expect(all.map((e) => Number(e.chain_position)).sort((a, b) => a - b)).toEqual(all.map((_, i) => i + 1));
      expect(
        (await verifyActivityChain(t.database.db, instances.second.app.keyring, await workspaceId())).problem,
      ).toBeNull();
    } finally {
      await instances.second.close();
    }
  });
});
