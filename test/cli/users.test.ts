import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { buildApp } from '../../src/http/app.js';
import { OWNER } from '../helpers/app.js';
import { runGatehouse } from '../helpers/cli.js';
import { TestClient } from '../helpers/client.js';
import { testClock } from '../helpers/clock.js';
import { passSecondFactor, turnOnMfa } from '../helpers/mfa.js';

/**
 * The operator's break-glass (SPEC §2a): `gatehouse users reset-mfa` and `gatehouse users reset-password`
 * as an operator runs them, on the server's embedded database while the server is stopped. Between the
 * commands the test opens the same data directory with the application itself and acts as people do,
 * through the HTTP API.
 */

const MASTER_KEY = randomBytes(32).toString('base64');
const NEW_PASSWORD = 'the owner chose a new one';
const SESSION_COOKIE = 'gatehouse_session';

describe('gatehouse users (break-glass)', () => {
  let dataDir: string;
  const env = () => ({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_MASTER_KEY: MASTER_KEY });
  const users = (...args: string[]) => runGatehouse(['users', ...args], env());

  /** The application on the data directory, for the length of `work`; the data directory is free again after. */
  async function withApp<T>(work: (client: () => TestClient, app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>) {
    const config = loadConfig({ ...env(), GATEHOUSE_LOG_LEVEL: 'silent' });
    const database = await openDatabase({ dataDir });
    try {
      await migrateToLatest(database.db);
      const app = await buildApp({
        config,
        database,
        masterKey: Buffer.from(MASTER_KEY, 'base64'),
        logger: false,
        clock: testClock,
      });
      await app.ready();
      try {
        return await work(() => new TestClient(app), app);
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }
  }

  const signIn = (client: TestClient, password: string) =>
    client.post('/api/v1/auth/sign-in', { workspace: OWNER.slug, username: OWNER.email, password });

  type Mail = { to: string; subject: string; text: string | null };
  const outbox = async (client: TestClient) => (await client.get('/api/v1/dev/outbox')).json().messages as Mail[];
  const events = async (app: Awaited<ReturnType<typeof buildApp>>, action: string) =>
    (
      await app.db
        .selectFrom('activity_events')
        .select(['actor_id', 'target_id', 'user_agent', 'details'])
        .where('action', '=', action)
        .orderBy('seq')
        .execute()
    ).map((e) => ({ ...e, details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details }));

  let ownerSecret: string;
  /** A session of the owner's from before each command, to see it end. */
  let sessionBefore: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-users-'));
    await withApp(async (client) => {
      const owner = client();
      const setUp = await owner.post('/api/v1/setup', OWNER);
      expect(setUp.statusCode, setUp.body).toBe(201);
      ownerSecret = (await turnOnMfa(owner)).secret;
      sessionBefore = owner.cookie(SESSION_COOKIE)!;
      expect(sessionBefore).toBeTruthy();
    });
  }, 120_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reset-mfa removes the owner’s second factors, ends their sessions, mails them and logs it as the operator’s', async () => {
    const result = users('reset-mfa', '--workspace', OWNER.slug, '--email', OWNER.email.toUpperCase());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Reset the MFA of ${OWNER.displayName} (${OWNER.email}): removed the authenticator app, 10 recovery code(s).`,
    );

    await withApp(async (client, app) => {
      const old = client();
      old.setCookie(SESSION_COOKIE, sessionBefore);
      expect((await old.get('/api/v1/auth/session')).statusCode).toBe(401);

      // The password alone signs in now, and MFA must be turned on again.
      const owner = client();
      expect((await signIn(owner, OWNER.password)).statusCode).toBe(200);
      const session = (await owner.get('/api/v1/auth/session')).json();
      expect(session.pending.secondFactor).toBe(false);
      expect(session.assurance.mfaEnabled).toBe(false);
      expect((await owner.get('/api/v1/mfa')).json()).toEqual({ totp: false, passkeys: 0, recoveryCodes: 0 });

      const mail = (await outbox(owner)).find(
        (m) => m.subject === 'Your multi-factor authentication on Gatehouse was reset',
      );
      expect(mail?.to).toBe(OWNER.email);
      expect(mail?.text).toContain(
        "The operator of your workspace's Gatehouse server reset your multi-factor authentication (MFA) for Acme Inc",
      );
      expect(mail?.text).toContain('tell an administrator of Acme Inc right away');
      const [event] = await events(app, 'mfa.reset');
      expect(event).toMatchObject({
        actor_id: null,
        user_agent: 'gatehouse-cli',
        details: { via: 'cli', totpRemoved: true, passkeysRemoved: 0, recoveryCodesRemoved: 10 },
      });

      // MFA on again, and a session from before the next command.
      ownerSecret = (await turnOnMfa(owner)).secret;
      sessionBefore = owner.cookie(SESSION_COOKIE)!;
    });
  });

  it('reset-mfa with nothing to reset says so and changes nothing', async () => {
    await withApp(async (client) => {
      const owner = client();
      expect((await signIn(owner, OWNER.password)).statusCode).toBe(200);
      await passSecondFactor(owner, ownerSecret);
      const off = await owner.request({ method: 'DELETE', url: '/api/v1/mfa/totp' });
      expect(off.statusCode, off.body).toBe(204);
    });
    const result = users('reset-mfa', '--workspace', OWNER.slug, '--email', OWNER.email);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: ${OWNER.displayName} has no second factor to reset.`);
    await withApp(async (client, app) => {
      expect(await events(app, 'mfa.reset')).toHaveLength(1);
      const owner = client();
      expect((await signIn(owner, OWNER.password)).statusCode).toBe(200);
      ownerSecret = (await turnOnMfa(owner)).secret;
      sessionBefore = owner.cookie(SESSION_COOKIE)!;
    });
  });

  it('reset-password prints a temporary password once; the owner signs in with it, passes MFA and must change it', async () => {
    const result = users('reset-password', '--workspace', OWNER.slug, '--email', OWNER.email);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const temporaryPassword = /^Temporary password: (\S+)$/m.exec(result.stdout)?.[1];
    expect(temporaryPassword).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(result.stdout).toContain(`Username: ${OWNER.email}`);

    await withApp(async (client, app) => {
      const old = client();
      old.setCookie(SESSION_COOKIE, sessionBefore);
      expect((await old.get('/api/v1/auth/session')).statusCode).toBe(401);
      expect((await signIn(client(), OWNER.password)).statusCode).toBe(401);

      const owner = client();
      expect((await signIn(owner, temporaryPassword!)).statusCode).toBe(200);
      expect((await owner.get('/api/v1/auth/session')).json().pending).toEqual({
        secondFactor: true,
        passwordChange: true,
        terms: false,
      });
      await passSecondFactor(owner, ownerSecret);
      const same = await owner.post('/api/v1/auth/change-password', {
        newPassword: temporaryPassword,
        newPasswordAgain: temporaryPassword,
        givenName: 'Ada',
        familyName: 'Owner',
      });
      expect(same.statusCode).toBe(422);
      expect(same.json().errors).toContainEqual({
        path: 'newPassword',
        message: 'Choose a password different from the temporary one.',
      });
      const changed = await owner.post('/api/v1/auth/change-password', {
        newPassword: NEW_PASSWORD,
        newPasswordAgain: NEW_PASSWORD,
        givenName: 'Ada',
        familyName: 'Owner',
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json().pending).toEqual({ secondFactor: false, passwordChange: false, terms: false });

      // The owner is told, without the password; the log names no actor.
      const mail = (await outbox(owner)).find((m) => m.subject === 'Your Gatehouse password was reset');
      expect(mail?.to).toBe(OWNER.email);
      expect(mail?.text).toContain(
        "The operator of your workspace's Gatehouse server reset your password for Acme Inc",
      );
      expect(mail?.text).not.toContain(temporaryPassword);
      const [event] = await events(app, 'user.password_reset_by_admin');
      expect(event).toMatchObject({ actor_id: null, user_agent: 'gatehouse-cli', details: { via: 'cli' } });
      expect(JSON.stringify(event)).not.toContain(temporaryPassword);
    });
  });

  it('refuses an unknown workspace or address, and a call without them, clearly and with a failing exit code', async () => {
    const noWorkspace = users('reset-password', '--workspace', 'nope', '--email', OWNER.email);
    expect(noWorkspace.code).toBe(1);
    expect(noWorkspace.stderr).toBe('Error: There is no workspace "nope".');
    expect(noWorkspace.stdout).toBe('');
    const noPerson = users('reset-mfa', '--workspace', OWNER.slug, '--email', 'nobody@acme.test');
    expect(noPerson.code).toBe(1);
    expect(noPerson.stderr).toBe('Error: Nobody in workspace "acme" has the email address nobody@acme.test.');
    const noEmail = users('reset-password', '--workspace', OWNER.slug);
    expect(noEmail.code).toBe(64);
    expect(noEmail.stderr).toContain("--email: the person's email address is required");
    expect(noEmail.stderr).toContain('users reset-password');
    const unknown = users('delete', '--workspace', OWNER.slug, '--email', OWNER.email);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('Unknown users command "delete": use reset-mfa or reset-password.');
    // Nothing changed: the owner's chosen password still works.
    await withApp(async (client) => {
      expect((await signIn(client(), NEW_PASSWORD)).statusCode).toBe(200);
    });
  });
});
