import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ItemRole } from '../../src/db/schema.js';
import type { Actor } from '../../src/domain/actor.js';
import { AppError } from '../../src/domain/errors.js';
import {
  changeGuestAccountRole,
  removeFromAccount,
  removeFromPartner,
  shareOnward,
  shareWithMember,
  shareWithPartner,
} from '../../src/services/account-sharing.js';
import { createAccount, listAccounts } from '../../src/services/accounts.js';
import { inviteGuest } from '../../src/services/invitations/invite-guest.js';
import { changeGuestRole, removeGuest } from '../../src/services/partner-members.js';
import { createPartner, removePartner } from '../../src/services/partners.js';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { addMember } from '../helpers/partners.js';

/**
 * A model-based test of sharing (SPEC §1, §3, §11). Random sequences of sharing operations run through
 * the real services on the real database; after each step, who can use which account with which role is
 * compared with a small reference model written here, and the invariants are checked on the tables.
 */

const ACCOUNTS = 3;
const PARTNERS = 2;
/** Guests by partner: the first of each partner starts as guest admin. */
const GUESTS = [
  { partner: 0, admin: true },
  { partner: 0, admin: false },
  { partner: 0, admin: false },
  { partner: 1, admin: true },
  { partner: 1, admin: false },
];
const CONTEXT = { ip: '127.0.0.1', userAgent: 'sharing-model' };

type GuestRole = Extract<ItemRole, 'manager' | 'collaborator'>;
type Op =
  | { op: 'share'; account: number; partner: number; role: GuestRole }
  | { op: 'shareMember'; account: number; role: 'owner' | 'collaborator' }
  | { op: 'onward'; account: number; from: number; to: number }
  | { op: 'setRole'; account: number; guest: number; role: GuestRole }
  | { op: 'removeFromAccount'; account: number; guest: number }
  | { op: 'removeFromPartner'; account: number; partner: number }
  | { op: 'promote' | 'demote' | 'removeGuest'; guest: number }
  | { op: 'removePartner'; partner: number };

const account = fc.nat(ACCOUNTS - 1);
const partner = fc.nat(PARTNERS - 1);
const guest = fc.nat(GUESTS.length - 1);
const guestRole = fc.constantFrom<GuestRole>('manager', 'collaborator');
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('share' as const), account, partner, role: guestRole }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('shareMember' as const),
      account,
      role: fc.constantFrom<'owner' | 'collaborator'>('owner', 'collaborator'),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('onward' as const), account, from: guest, to: guest }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setRole' as const), account, guest, role: guestRole }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('removeFromAccount' as const), account, guest }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('removeFromPartner' as const), account, partner }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('promote' as const, 'demote' as const), guest }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeGuest' as const), guest }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removePartner' as const), partner }) },
);

/** The reference model: plain maps, the rules of SPEC §1 and §3 written out once more. */
class Model {
  guests = GUESTS.map((g) => ({ ...g, active: true }));
  partnerActive = Array.from({ length: PARTNERS }, () => true);
  partnerGrants = new Map<string, GuestRole>();
  /** key `${user}:${account}`, user = guest index or 'member'. */
  userGrants = new Map<string, { role: ItemRole; parent: number | null }>();

  effective(user: number | 'member', a: number): ItemRole | undefined {
    const own = this.userGrants.get(`${user}:${a}`);
    if (user === 'member') return own?.role;
    const g = this.guests[user]!;
    if (!g.active) return undefined;
    if (own) return own.role;
    return g.admin ? this.partnerGrants.get(`${g.partner}:${a}`) : undefined;
  }

  /** Applies the operation if the rules allow it; returns whether they did. */
  apply(op: Op): boolean {
    switch (op.op) {
      case 'share':
        if (!this.partnerActive[op.partner]) return false;
        this.partnerGrants.set(`${op.partner}:${op.account}`, op.role);
        return true;
      case 'shareMember':
        this.userGrants.set(`member:${op.account}`, { role: op.role, parent: null });
        return true;
      case 'onward': {
        const from = this.guests[op.from]!;
        const to = this.guests[op.to]!;
        const parentExists = this.partnerGrants.has(`${from.partner}:${op.account}`);
        const allowed =
          from.active &&
          from.admin &&
          this.effective(op.from, op.account) === 'manager' &&
          parentExists &&
          to.active &&
          !to.admin &&
          to.partner === from.partner &&
          !this.userGrants.has(`${op.to}:${op.account}`);
        if (allowed) this.userGrants.set(`${op.to}:${op.account}`, { role: 'collaborator', parent: from.partner });
        return allowed;
      }
      case 'setRole': {
        const g = this.guests[op.guest]!;
        const own = this.userGrants.get(`${op.guest}:${op.account}`);
        const share = this.partnerGrants.has(`${g.partner}:${op.account}`);
        if (!g.active || (!own && !share)) return false;
        this.userGrants.set(`${op.guest}:${op.account}`, { role: op.role, parent: own ? own.parent : g.partner });
        return true;
      }
      case 'removeFromAccount':
        return this.userGrants.delete(`${op.guest}:${op.account}`);
      case 'removeFromPartner': {
        if (!this.partnerActive[op.partner] || !this.partnerGrants.delete(`${op.partner}:${op.account}`)) return false;
        for (const [key, grant] of this.userGrants) {
          if (grant.parent === op.partner && key.endsWith(`:${op.account}`)) this.userGrants.delete(key);
        }
        return true;
      }
      case 'promote':
      case 'demote': {
        const g = this.guests[op.guest]!;
        if (!g.active || !this.partnerActive[g.partner]) return false;
        g.admin = op.op === 'promote';
        return true;
      }
      case 'removeGuest': {
        const g = this.guests[op.guest]!;
        if (!g.active || !this.partnerActive[g.partner]) return false;
        this.deactivate(op.guest);
        return true;
      }
      case 'removePartner': {
        if (!this.partnerActive[op.partner]) return false;
        this.partnerActive[op.partner] = false;
        this.guests.forEach((g, index) => {
          if (g.partner === op.partner && g.active) this.deactivate(index);
        });
        for (const key of this.partnerGrants.keys())
          if (key.startsWith(`${op.partner}:`)) this.partnerGrants.delete(key);
        for (const [key, grant] of this.userGrants) if (grant.parent === op.partner) this.userGrants.delete(key);
        return true;
      }
    }
  }

  private deactivate(index: number) {
    this.guests[index]!.active = false;
    for (const key of this.userGrants.keys()) if (key.startsWith(`${index}:`)) this.userGrants.delete(key);
  }
}

interface World {
  t: TestApp;
  host: Actor;
  member: Actor;
  guests: Actor[];
  partnerIds: string[];
  accountIds: string[];
}

async function actorOf(t: TestApp, email: string): Promise<Actor> {
  const user = await t.database.db
    .selectFrom('users')
    .select(['id', 'workspace_id', 'role', 'status'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { userId: user.id, workspaceId: user.workspace_id, role: user.role, status: user.status };
}

/** Owner, a host admin who owns the accounts, a plain member, two partners and their guests (joined). */
async function buildWorld(): Promise<World> {
  const t = await createTestApp({ worker: false });
  const owner = await setUpWorkspace(t);
  await addMember(owner, 'hana@acme.test');
  await addMember(owner, 'milo@acme.test');
  const host = await actorOf(t, 'hana@acme.test');
  const member = await actorOf(t, 'milo@acme.test');
  const ownerActor = await actorOf(t, 'ada@acme.test');
  const deps = { masterKey: t.app.masterKey, keyring: t.app.keyring, publicUrl: t.config.publicUrl };
  const db = t.database.db;

  const partnerIds: string[] = [];
  for (let p = 0; p < PARTNERS; p++) {
    const created = await t.app.unitOfWork.run((tx) =>
      createPartner(
        tx,
        ownerActor,
        { name: `Agency ${p}`, guestAdminEmail: `guest0@agency${p}.test`, hostAdminIds: [host.userId] },
        deps,
        CONTEXT,
      ),
    );
    partnerIds.push(created.partnerId);
  }
  const emails: string[] = [];
  for (const [index, g] of GUESTS.entries()) {
    const email = g.admin ? `guest0@agency${g.partner}.test` : `guest${index}@agency${g.partner}.test`;
    emails.push(email);
    if (g.admin) continue;
    const partnerRow = await db
      .selectFrom('partners')
      .selectAll()
      .where('id', '=', partnerIds[g.partner]!)
      .executeTakeFirstOrThrow();
    await t.app.unitOfWork.run((tx) => inviteGuest(tx, host, partnerRow, { email, role: 'guest_user' }, deps, CONTEXT));
  }
  // Everyone has joined (the first sign-in itself is tested elsewhere).
  await db
    .updateTable('users')
    .set({ status: 'active', must_change_password: false })
    .where('kind', '=', 'guest')
    .execute();
  const guests = await Promise.all(emails.map((email) => actorOf(t, email)));

  const accountIds: string[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    accountIds.push(
      await t.app.unitOfWork.run((tx) =>
        createAccount(
          tx,
          t.app.keyring,
          host,
          {
            name: `Account ${a}`,
            appName: 'App',
            loginUrl: null,
            username: `user${a}`,
            password: `password ${a}`,
            totpSecret: null,
            notes: null,
          },
          CONTEXT,
        ),
      ),
    );
  }
  return { t, host, member, guests, partnerIds, accountIds };
}

/** Runs one operation through the real services; true when it succeeded, false when a rule refused it. */
async function run(world: World, op: Op): Promise<boolean> {
  const { t, host, member, guests, partnerIds, accountIds } = world;
  const guestPartner = (index: number) => partnerIds[GUESTS[index]!.partner]!;
  try {
    await t.app.unitOfWork.run(async (tx) => {
      switch (op.op) {
        case 'share':
          return shareWithPartner(
            tx,
            host,
            partnerIds[op.partner]!,
            [{ accountId: accountIds[op.account]!, role: op.role }],
            CONTEXT,
          );
        case 'shareMember':
          return shareWithMember(tx, host, accountIds[op.account]!, { userId: member.userId, role: op.role }, CONTEXT);
        case 'onward':
          return shareOnward(tx, guests[op.from]!, accountIds[op.account]!, guests[op.to]!.userId, CONTEXT);
        case 'setRole':
          return changeGuestAccountRole(tx, host, accountIds[op.account]!, guests[op.guest]!.userId, op.role, CONTEXT);
        case 'removeFromAccount':
          return removeFromAccount(tx, host, accountIds[op.account]!, guests[op.guest]!.userId, CONTEXT);
        case 'removeFromPartner':
          return removeFromPartner(tx, host, partnerIds[op.partner]!, accountIds[op.account]!, CONTEXT);
        case 'promote':
        case 'demote':
          return changeGuestRole(
            tx,
            host,
            guestPartner(op.guest),
            guests[op.guest]!.userId,
            op.op === 'promote' ? 'guest_admin' : 'guest_user',
            CONTEXT,
          );
        case 'removeGuest':
          return removeGuest(tx, host, guestPartner(op.guest), guests[op.guest]!.userId, CONTEXT);
        case 'removePartner':
          return removePartner(tx, host, partnerIds[op.partner]!, CONTEXT);
      }
    });
    return true;
  } catch (error) {
    if (error instanceof AppError && error.status >= 400 && error.status < 500) return false;
    throw error;
  }
}

/** Who can use what, as the services answer it: one line per user with their accounts and roles. */
async function observed(world: World): Promise<string[]> {
  const users: Array<[string, Actor]> = [
    ['member', world.member],
    ...world.guests.map((g, i) => [`guest ${i}`, g] as [string, Actor]),
  ];
  return Promise.all(
    users.map(async ([name, actor]) => {
      const rows = await listAccounts(world.t.database.db, actor);
      const roles = rows.map((row) => `${world.accountIds.indexOf(row.id)}=${row.role}`).sort();
      return `${name}: ${roles.join(' ')}`;
    }),
  );
}

function expected(model: Model): string[] {
  const users: Array<[string, number | 'member']> = [
    ['member', 'member'],
    ...GUESTS.map((_, i) => [`guest ${i}`, i] as [string, number]),
  ];
  return users.map(([name, user]) => {
    const roles: string[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const role = model.effective(user, a);
      if (role) roles.push(`${a}=${role}`);
    }
    return `${name}: ${roles.sort().join(' ')}`;
  });
}

async function checkInvariants(world: World): Promise<void> {
  const db = world.t.database.db;
  const guestOwners = await db
    .selectFrom('grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select('g.id')
    .where('u.kind', '=', 'guest')
    .where('g.role', '=', 'owner')
    .execute();
  expect(guestOwners, 'no guest is ever owner').toEqual([]);
  // Shares made by guests are onward shares: collaborator, inside the partner they came from.
  const onward = await db
    .selectFrom('grants as g')
    .innerJoin('users as granter', 'granter.id', 'g.granted_by')
    .leftJoin('grants as parent', 'parent.id', 'g.parent_grant_id')
    .select([
      'g.role',
      'parent.partner_id',
      sql<boolean>`EXISTS (SELECT 1 FROM partner_members pm WHERE pm.user_id = g.user_id AND pm.partner_id = parent.partner_id)`.as(
        'inside',
      ),
    ])
    .where('granter.kind', '=', 'guest')
    .execute();
  for (const grant of onward) {
    expect(grant.role, 'onward shares are collaborator').toBe('collaborator');
    expect(grant.partner_id, 'onward shares hang from a partner share').not.toBeNull();
    expect(grant.inside, 'onward shares stay inside the partner').toBe(true);
  }
  const inactive = await db.selectFrom('users').select('id').where('status', '=', 'deactivated').execute();
  for (const user of inactive) {
    const actor = [world.member, ...world.guests].find((a) => a.userId === user.id)!;
    expect(await listAccounts(db, actor), 'a removed or deactivated user can use nothing').toEqual([]);
  }
}

describe('sharing, against a reference model', () => {
  it('agrees with the model after every step of random sequences of sharing operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 25 }), async (ops) => {
        const world = await buildWorld();
        try {
          const model = new Model();
          for (const [step, op] of ops.entries()) {
            const allowedByModel = model.apply(op);
            const allowedByServer = await run(world, op);
            expect(allowedByServer, `step ${step}: ${JSON.stringify(op)}`).toBe(allowedByModel);
            expect(await observed(world), `after step ${step}: ${JSON.stringify(op)}`).toEqual(expected(model));
            await checkInvariants(world);
          }
        } finally {
          await world.t.close();
        }
      }),
      { numRuns: Number(process.env.GATEHOUSE_MODEL_RUNS ?? 12), verbose: true },
    );
  }, 600_000);
});
