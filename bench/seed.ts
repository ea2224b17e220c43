import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema.js';
import { sealAccountField } from '../src/crypto/keyring.js';
import type { WorkspaceKeyring } from '../src/services/keyring.js';

/**
 * Seeds a benchmark world with set-based SQL (INSERT … SELECT generate_series). Every id is derived from
 * a counter (md5 of a label, cast to uuid), so the generators can refer to each other's rows without
 * reading them back; the formulas below decide who gets which account.
 */
export interface BenchSizes {
  members: number;
  partners: number;
  guestsPerPartner: number;
  guestAdminsPerPartner: number;
  accounts: number;
  /** The total number of grants to reach; member-to-member grants fill whatever the other kinds leave. */
  grants: number;
  /** Partner grants per partner: between these two (inclusive), varying by partner. */
  partnerAccountsMin: number;
  partnerAccountsMax: number;
  /** Onward shares per guest user: between these two, capped by the partner's manager grants. */
  onwardMin: number;
  onwardMax: number;
}

export function sizesForScale(scale: number): BenchSizes {
  const at = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  return {
    members: at(200, 3),
    partners: at(1000, 2),
    guestsPerPartner: 50,
    guestAdminsPerPartner: 5,
    accounts: at(20_000, 50),
    grants: at(1_000_000, 1000),
    partnerAccountsMin: 40,
    partnerAccountsMax: 360,
    onwardMin: 5,
    onwardMax: 25,
  };
}

/**
 * The same uuid the seeding SQL computes with pg_temp.bench_id(label): the md5 of the label, shaped as a
 * version 4 uuid (the API's schemas check the version and variant digits).
 */
export function benchId(label: string): string {
  const hex = createHash('md5').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export const memberId = (index: number) => benchId(`member-${index}`);
export const guestId = (index: number) => benchId(`guest-${index}`);
export const partnerId = (index: number) => benchId(`partner-${index}`);
export const accountId = (index: number) => benchId(`account-${index}`);
export const WORKSPACE_ID = benchId('workspace');

/** Partner p (0-based) holds this many partner grants: the same formula as in SQL below. */
export function partnerAccountCount(sizes: BenchSizes, partner: number): number {
  const spread = sizes.partnerAccountsMax - sizes.partnerAccountsMin + 1;
  return Math.min(sizes.accounts, sizes.partnerAccountsMin + ((partner * 7919) % spread));
}

export interface SeedResult {
  counts: Record<string, number>;
  timings: Array<{ step: string; ms: number }>;
}

const SEAL_BATCH = 2000;

export async function seed(pool: Kysely<Database>, keyring: WorkspaceKeyring, sizes: BenchSizes): Promise<SeedResult> {
  // One connection throughout: the helper function lives in that session's pg_temp schema.
  return pool.connection().execute((db) => seedOnConnection(db, keyring, sizes));
}

async function seedOnConnection(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  sizes: BenchSizes,
): Promise<SeedResult> {
  const timings: SeedResult['timings'] = [];
  const step = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    timings.push({ step: name, ms: performance.now() - started });
  };
  const { members, partners, guestsPerPartner, guestAdminsPerPartner, accounts } = sizes;
  const guests = partners * guestsPerPartner;
  const spread = sizes.partnerAccountsMax - sizes.partnerAccountsMin + 1;
  const onwardSpread = sizes.onwardMax - sizes.onwardMin + 1;

  await sql`SET synchronous_commit = off`.execute(db);
  await sql`
    CREATE FUNCTION pg_temp.bench_id(label text) RETURNS uuid LANGUAGE sql IMMUTABLE
    AS $$ SELECT overlay(overlay(md5(label) placing '4' from 13) placing '8' from 17)::uuid $$`.execute(db);

  await step('workspace and members', async () => {
    await sql`INSERT INTO workspaces (id, slug, name) VALUES (${WORKSPACE_ID}, 'bench', 'Bench Ltd')`.execute(db);
    // Member 0 is the owner, members 1–4 admins, the rest members; every one of them is a host admin somewhere.
    await sql`
      INSERT INTO users (id, workspace_id, email, username, display_name, kind, role, status)
      SELECT pg_temp.bench_id('member-' || m), ${WORKSPACE_ID}, 'member' || m || '@bench.example', 'member' || m,
             'Member ' || m, 'member',
             CASE WHEN m = 0 THEN 'owner' WHEN m < 5 THEN 'admin' ELSE 'member' END, 'active'
      FROM generate_series(0, ${members - 1}::int) AS m`.execute(db);
  });

  await step('partners and host admins', async () => {
    await sql`
      INSERT INTO partners (id, workspace_id, name, created_by)
      SELECT pg_temp.bench_id('partner-' || p), ${WORKSPACE_ID}, 'Partner ' || p, pg_temp.bench_id('member-' || (p % ${members}::int))
      FROM generate_series(0, ${partners - 1}::int) AS p`.execute(db);
    await sql`
      INSERT INTO partner_members (partner_id, user_id, role)
      SELECT pg_temp.bench_id('partner-' || p), pg_temp.bench_id('member-' || (p % ${members}::int)), 'host_admin'
      FROM generate_series(0, ${partners - 1}::int) AS p`.execute(db);
  });

  await step('guests, partner memberships, MFA factors', async () => {
    // Guest g belongs to partner g / guestsPerPartner; the first guestAdminsPerPartner of each are guest admins.
    await sql`
      INSERT INTO users (id, workspace_id, email, username, display_name, kind, role, status)
      SELECT pg_temp.bench_id('guest-' || g), ${WORKSPACE_ID}, 'guest' || g || '@partner' || (g / ${guestsPerPartner}::int) || '.example',
             'guest' || g, 'Guest ' || g, 'guest', 'guest', 'active'
      FROM generate_series(0, ${guests - 1}::int) AS g`.execute(db);
    await sql`
      INSERT INTO partner_members (partner_id, user_id, role)
      SELECT pg_temp.bench_id('partner-' || (g / ${guestsPerPartner}::int)), pg_temp.bench_id('guest-' || g),
             CASE WHEN g % ${guestsPerPartner}::int < ${guestAdminsPerPartner}::int THEN 'guest_admin' ELSE 'guest_user' END
      FROM generate_series(0, ${guests - 1}::int) AS g`.execute(db);
    // A confirmed TOTP factor makes "MFA on" true for the gates; the secret is never opened by the bench.
    await sql`
      INSERT INTO mfa_factors (user_id, kind, name, totp_sealed_secret, confirmed_at)
      SELECT pg_temp.bench_id('guest-' || g), 'totp', 'Authenticator',
             'v1:bench:' || substr(md5('iv' || g), 1, 16) || ':' || substr(md5('tag' || g), 1, 22) || ':' || md5('secret' || g),
             now()
      FROM generate_series(0, ${guests - 1}::int) AS g`.execute(db);
  });

  await step('accounts (sealed with the workspace data key)', async () => {
    const { id: keyId, key } = await keyring.activeKey(db, WORKSPACE_ID);
    // Real ciphertexts (the detail route opens username and notes), sealed here and passed as array
    // parameters; the rows themselves are still one INSERT … SELECT per batch.
    for (let start = 0; start < accounts; start += SEAL_BATCH) {
      const end = Math.min(accounts, start + SEAL_BATCH);
      const usernames: string[] = [];
      const passwords: string[] = [];
      const totpSecrets: string[] = [];
      const notes: string[] = [];
      for (let a = start; a < end; a++) {
        const id = accountId(a);
        usernames.push(sealAccountField(key, keyId, WORKSPACE_ID, id, 'username', `ops+app${a}@bench.example`));
        passwords.push(sealAccountField(key, keyId, WORKSPACE_ID, id, 'password', `Pw-${a}-${keyId.slice(0, 8)}-x9!Q`));
        totpSecrets.push(
          sealAccountField(key, keyId, WORKSPACE_ID, id, 'totp_secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'),
        );
        notes.push(sealAccountField(key, keyId, WORKSPACE_ID, id, 'notes', `Shared login for team ${a % 97}.`));
      }
      await sql`
        INSERT INTO accounts (id, workspace_id, name, app_name, login_url, username_sealed, password_sealed,
                              totp_secret_sealed, notes_sealed, created_by)
        SELECT pg_temp.bench_id('account-' || a), ${WORKSPACE_ID}, 'Account ' || a, 'App ' || (a % 500),
               'https://app' || (a % 500) || '.example/login',
               s.username, s.password, CASE WHEN a % 3 = 0 THEN NULL ELSE s.totp END, s.notes,
               pg_temp.bench_id('member-' || (a % ${members}::int))
        FROM unnest(${usernames}::text[], ${passwords}::text[], ${totpSecrets}::text[], ${notes}::text[])
               WITH ORDINALITY AS s(username, password, totp, notes, n),
             LATERAL (SELECT ${start}::int + s.n::int - 1 AS a) AS idx`.execute(db);
    }
  });

  await step('owner grants', async () => {
    await sql`
      INSERT INTO grants (account_id, user_id, role, granted_by)
      SELECT pg_temp.bench_id('account-' || a), pg_temp.bench_id('member-' || (a % ${members}::int)), 'owner',
             pg_temp.bench_id('member-' || (a % ${members}::int))
      FROM generate_series(0, ${accounts - 1}::int) AS a`.execute(db);
  });

  await step('partner grants', async () => {
    // Partner p holds min(accounts, min + (p·7919 mod spread)) consecutive accounts from offset p·9973;
    // even positions are Manager, odd Collaborator. The host admin who shared them is the partner's.
    await sql`
      INSERT INTO grants (id, account_id, partner_id, role, granted_by)
      SELECT pg_temp.bench_id('pgrant-' || p || '-' || j), pg_temp.bench_id('account-' || ((p * 9973 + j) % ${accounts}::int)),
             pg_temp.bench_id('partner-' || p), CASE WHEN j % 2 = 0 THEN 'manager' ELSE 'collaborator' END,
             pg_temp.bench_id('member-' || (p % ${members}::int))
      FROM generate_series(0, ${partners - 1}::int) AS p,
           LATERAL generate_series(0, least(${accounts}::int, ${sizes.partnerAccountsMin}::int + (p * 7919) % ${spread}::int) - 1) AS j`.execute(
      db,
    );
  });

  await step('onward shares', async () => {
    // Guest user g (rank r in its partner) gets between onwardMin and onwardMax of the partner's Manager
    // grants, starting at a rank-dependent offset, each a Collaborator grant whose parent is that partner grant.
    await sql`
      INSERT INTO grants (account_id, user_id, role, granted_by, parent_grant_id)
      SELECT pg_temp.bench_id('account-' || ((u.p * 9973 + 2 * q.q) % ${accounts}::int)), pg_temp.bench_id('guest-' || u.g),
             'collaborator', pg_temp.bench_id('guest-' || (u.p * ${guestsPerPartner}::int)),
             pg_temp.bench_id('pgrant-' || u.p || '-' || (2 * q.q))
      FROM (
        SELECT g, g / ${guestsPerPartner}::int AS p, g % ${guestsPerPartner}::int AS r,
               (least(${accounts}::int, ${sizes.partnerAccountsMin}::int + ((g / ${guestsPerPartner}::int) * 7919) % ${spread}::int) + 1) / 2 AS managers
        FROM generate_series(0, ${guests - 1}::int) AS g
      ) AS u,
      LATERAL generate_series(0, least(u.managers, ${sizes.onwardMin}::int + ((u.g::bigint * 2654435761) % ${onwardSpread}::int)::int) - 1) AS t,
      LATERAL (SELECT (u.r * 3 + t) % u.managers AS q) AS q
      WHERE u.r >= ${guestAdminsPerPartner}::int`.execute(db);
  });

  await step('member grants (fill to the target)', async () => {
    const { count } = await sql<{ count: string }>`SELECT count(*) AS count FROM grants`
      .execute(db)
      .then((r) => r.rows[0]!);
    // Member m gets the accounts owned by members m+1 … m+d (accounts k·members + ((m+d) mod members)):
    // never their own, never twice. Enumerated i → (d, k, m) so any prefix is a valid set.
    const perDistance = Math.floor(accounts / members) * members;
    const capacity = (members - 1) * perDistance;
    const wanted = Math.max(0, Math.min(capacity, sizes.grants - Number(count)));
    if (wanted === 0) return;
    await sql`
      INSERT INTO grants (account_id, user_id, role, granted_by)
      SELECT pg_temp.bench_id('account-' || (x.k * ${members}::int + (x.m + x.d) % ${members}::int)), pg_temp.bench_id('member-' || x.m),
             CASE WHEN x.i % 10 = 0 THEN 'owner' ELSE 'collaborator' END, pg_temp.bench_id('member-' || ((x.m + x.d) % ${members}::int))
      FROM (
        SELECT i, 1 + i / ${perDistance}::int AS d, (i / ${members}::int) % ${perDistance / members}::int AS k, i % ${members}::int AS m
        FROM generate_series(0, ${wanted - 1}::int) AS i
      ) AS x`.execute(db);
  });

  await step('ANALYZE', () => sql`ANALYZE`.execute(db));

  const counts: Record<string, number> = {};
  const rows = await sql<{ what: string; n: string }>`
    SELECT 'users (members)' AS what, count(*) AS n FROM users WHERE kind = 'member'
    UNION ALL SELECT 'users (guests)', count(*) FROM users WHERE kind = 'guest'
    UNION ALL SELECT 'partners', count(*) FROM partners
    UNION ALL SELECT 'partner_members', count(*) FROM partner_members
    UNION ALL SELECT 'accounts', count(*) FROM accounts
    UNION ALL SELECT 'grants (total)', count(*) FROM grants
    UNION ALL SELECT 'grants: owner (member)', count(*) FROM grants WHERE user_id IS NOT NULL AND role = 'owner'
    UNION ALL SELECT 'grants: member collaborator', count(*) FROM grants WHERE user_id IS NOT NULL AND role = 'collaborator' AND parent_grant_id IS NULL
    UNION ALL SELECT 'grants: partner', count(*) FROM grants WHERE partner_id IS NOT NULL
    UNION ALL SELECT 'grants: onward share', count(*) FROM grants WHERE parent_grant_id IS NOT NULL`.execute(db);
  // UNION ALL's rows come in no promised order: print them in the order written above.
  const byName = new Map(rows.rows.map((row) => [row.what, Number(row.n)]));
  const order = [...rows.rows.map((row) => row.what)].sort((a, b) => COUNT_ORDER.indexOf(a) - COUNT_ORDER.indexOf(b));
  for (const what of order) counts[what] = byName.get(what)!;
  return { counts, timings };
}

const COUNT_ORDER = [
  'users (members)',
  'users (guests)',
  'partners',
  'partner_members',
  'accounts',
  'grants (total)',
  'grants: owner (member)',
  'grants: member collaborator',
  'grants: partner',
  'grants: onward share',
];
