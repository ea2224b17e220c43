import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, OWNER, setUpWorkspace, type TestApp } from '../helpers/app.js';
import { confirmIdentity, turnOnMfa } from '../helpers/mfa.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  MEMBER_PASSWORD,
  readInvitation,
} from '../helpers/partners.js';
import { ACCOUNT, trustDevice } from '../helpers/vault.js';

/**
 * SPEC §7 and the developers' guide: no plaintext secret in the database. A run with known secrets
 * (passwords, temporary passwords, invitation links, TOTP keys, recovery codes, session and device
 * tokens, vault fields), then every table is dumped and searched for each of them, in the encodings a
 * careless implementation would use.
 */
let t: TestApp;
const secrets = new Map<string, string>();
let dump = '';

beforeAll(async () => {
  t = await createTestApp({ worker: false });
  const owner = await setUpWorkspace(t);
  secrets.set('owner password', OWNER.password);
  const mfa = await turnOnMfa(owner);
  secrets.set('owner TOTP key', mfa.secret);
  mfa.recoveryCodes.forEach((code, i) => secrets.set(`recovery code ${i}`, code));
  await trustDevice(owner, owner);
  secrets.set('session token', owner.cookie('gatehouse_session')!);
  secrets.set('device secret', owner.cookie('gatehouse_device')!);

  await addMember(owner, 'mia@acme.test');
  secrets.set('member password', MEMBER_PASSWORD);

  await createPartner(owner, 'Agency', 'gail@agency.test', [(await me(owner)).user.id]);
  const invitation = await readInvitation(owner, 'gail@agency.test');
  secrets.set('temporary password', invitation.temporaryPassword);
  secrets.set('invitation link token', invitation.token);
  const guest = await completeFirstSignIn(t, invitation);
  secrets.set('guest password', GUEST_PASSWORD);
  secrets.set('guest session token', guest.cookie('gatehouse_session')!);

  const created = await owner.post('/api/v1/accounts', ACCOUNT);
  expect(created.statusCode, created.body).toBe(201);
  const accountId = (created.json() as { id: string }).id;
  secrets.set('account password', ACCOUNT.password);
  secrets.set('account TOTP secret', ACCOUNT.totpSecret);
  secrets.set('account username', ACCOUNT.username);
  secrets.set('account notes', 'social@acme.test');
  // Use it: a TOTP code, a reveal, so that every path that touches a secret has run.
  expect((await owner.post(`/api/v1/accounts/${accountId}/totp-code`)).statusCode).toBe(200);
  await confirmIdentity(owner, mfa.secret);
  expect((await owner.post(`/api/v1/accounts/${accountId}/reveal`, { field: 'password' })).statusCode).toBe(200);

  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.database.db);
  expect(tables.rows.length).toBeGreaterThan(10);
  for (const { table_name } of tables.rows) {
    const rows = await sql`SELECT * FROM ${sql.table(table_name)}`.execute(t.database.db);
    dump += `\n== ${table_name}\n${JSON.stringify(rows.rows)}`;
  }
}, 120_000);
afterAll(async () => {
  await t.close();
});

/** The forms a secret could be stored in by mistake. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, secret.toLowerCase(), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}

describe('secrets at rest', () => {
  it('has dumped the tables that hold users, sessions, factors, devices and accounts', () => {
    for (const table of ['users', 'sessions', 'mfa_factors', 'recovery_codes', 'devices', 'accounts', 'outbox']) {
      expect(dump).toContain(`== ${table}\n`);
    }
    // The dump is real: it holds the things that are not secret.
    expect(dump).toContain('gail@agency.test');
    expect(dump).toContain(ACCOUNT.name);
  });

  it('holds none of the known secrets in clear, in any common encoding', () => {
    const found = [...secrets].flatMap(([what, secret]) =>
      encodings(secret)
        .filter((form) => dump.includes(form))
        .map((form) => `${what} (as ${form})`),
    );
    expect(found).toEqual([]);
  });
});
