import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEHOUSE_BIN, runGatehouse, serveGatehouse, stopProcess } from '../helpers/cli.js';
import { masterKeyId } from '../../src/crypto/keyring.js';
import { freshCode } from '../helpers/mfa.js';
import { ACCOUNT } from '../helpers/vault.js';

/** Runs `gatehouse serve` expecting it to stop by itself; resolves with its exit code and output. */
function serveUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** A browser-like client over real HTTP: a cookie jar and the CSRF header on state-changing calls. */
class HttpClient {
  private readonly cookies = new Map<string, string>();
  private csrfToken: string | undefined;
  baseUrl = '';

  async request(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { 'user-agent': 'gatehouse-backup-test' };
    if (method !== 'GET') {
      this.csrfToken ??= ((await this.request('GET', '/api/v1/auth/csrf')).json as { token: string }).token;
      headers['x-csrf-token'] = this.csrfToken;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(`${this.baseUrl}${url}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  }

  get(url: string) {
    return this.request('GET', url);
  }

  post(url: string, body?: unknown) {
    return this.request('POST', url, body);
  }
}

/** The response's JSON body, once its status is the expected one (the body shows in the failure otherwise). */
async function expectOk<T = Record<string, unknown>>(
  response: Promise<{ status: number; json: unknown }>,
  status = 200,
): Promise<T> {
  const result = await response;
  expect(result.status, JSON.stringify(result.json)).toBe(status);
  return result.json as T;
}

const OWNER = { email: 'ada@acme.test', password: 'correct horse battery staple' };
/** Invited by the owner, then joins from the emailed link with a password of their own. */
const MEMBER = { email: 'bob@acme.test', role: 'member', password: 'members own long password' };

describe('gatehouse backup and restore of the embedded database', () => {
  let root: string;
  let dirA: string;
  let dirB: string;
  let archive: string;
  const masterKey = randomBytes(32).toString('base64');
  const otherKey = randomBytes(32).toString('base64');
  const masterKeyIdText = masterKeyId(Buffer.from(masterKey, 'base64'));
  const owner = new HttpClient();
  let mfaSecret = '';
  let accountId = '';
  let running: ChildProcess | undefined;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-backup-'));
    dirA = path.join(root, 'a');
    dirB = path.join(root, 'b');
    archive = path.join(root, 'acme.gatehouse-backup.tar');

    const created = runGatehouse(
      [
        'workspace',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme Inc',
        '--owner-email',
        OWNER.email,
        '--owner-password',
        OWNER.password,
      ],
      { GATEHOUSE_DATA_DIR: dirA, GATEHOUSE_MASTER_KEY: masterKey },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);

    // Populated through the API of a real server on A: MFA (a sealed TOTP secret), a member, a vault account.
    const server = await serveGatehouse({ GATEHOUSE_DATA_DIR: dirA, GATEHOUSE_MASTER_KEY: masterKey });
    running = server.child;
    owner.baseUrl = server.url;
    await expectOk(
      owner.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password }),
    );
    const setup = await expectOk<{ key: string }>(owner.post('/api/v1/mfa/totp/setup'));
    mfaSecret = setup.key.replace(/\s/g, '');
    await expectOk(owner.post('/api/v1/mfa/totp/confirm', { code: await freshCode(mfaSecret) }));
    await expectOk(owner.post('/api/v1/members', { email: MEMBER.email, role: MEMBER.role }), 201);
    const mail = (await expectOk(owner.get('/api/v1/dev/outbox'))).messages as Array<{ to: string; text: string }>;
    const joinUrl = /Join workspace: (https?:\/\/\S+)/.exec(mail.find((m) => m.to === MEMBER.email)!.text)![1]!;
    const joining = new HttpClient();
    joining.baseUrl = server.url;
    await expectOk(
      joining.post('/api/v1/member-invitations/join', {
        token: new URL(joinUrl).searchParams.get('token'),
        password: MEMBER.password,
        passwordAgain: MEMBER.password,
        givenName: 'Bob',
        familyName: 'Member',
      }),
    );
    accountId = (await expectOk<{ id: string }>(owner.post('/api/v1/accounts', ACCOUNT), 201)).id;
    // Trust this client as a device (a code mailed to the development outbox), as revealing needs.
    await expectOk(owner.post('/api/v1/devices', { name: 'Backup test browser', kind: 'browser' }), 201);
    const outbox = (await expectOk(owner.get('/api/v1/dev/outbox'))).messages as Array<{
      subject: string;
      text: string;
    }>;
    const code = /^Code: (\d{6})$/m.exec(outbox.find((m) => m.subject.startsWith('Your code to trust'))!.text)![1];
    await expectOk(owner.post('/api/v1/devices/current/verify', { code }));
  }, 240_000);

  afterAll(async () => {
    if (running) await stopProcess(running);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses to back up while the server holds the embedded database, and writes nothing', () => {
    const refused = runGatehouse(['backup', '--out', archive], { GATEHOUSE_DATA_DIR: dirA });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`pid ${running!.pid}`);
    expect(refused.stderr).toContain('stop it, then run gatehouse backup again');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(archive)).toBe(false);
  });

  it('backs up once the server has stopped: one file, owner-only, describing itself and the key it needs', async () => {
    await stopProcess(running!);
    running = undefined;
    const result = runGatehouse(['backup', '--out', archive], { GATEHOUSE_DATA_DIR: dirA });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`needs the master key with id ${masterKeyIdText}`);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(root).sort()).toEqual(['a', path.basename(archive)]);

    // A plain tar: standard tools list it and read its manifest.
    const listing = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' });
    expect(listing.stdout.trim().split('\n')).toEqual(['manifest.json', 'pglite-data.tar.gz']);
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' }).stdout);
    expect(manifest).toMatchObject({
      format: 'gatehouse-backup',
      formatVersion: 1,
      gatehouseVersion: JSON.parse(fs.readFileSync('package.json', 'utf8')).version,
      masterKeyIds: [masterKeyIdText],
      workspaces: 1,
      dataKeys: 1,
      database: { kind: 'pglite', member: 'pglite-data.tar.gz' },
    });
    expect(manifest.migrations.at(-1)).toMatch(/^\d{4}_/);
    expect(Date.now() - Date.parse(manifest.createdAt)).toBeLessThan(120_000);

    const again = runGatehouse(['backup', '--out', archive], { GATEHOUSE_DATA_DIR: dirA });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error: ${archive} already exists; choose another file, or add --force to replace it.`);
    expect(runGatehouse(['backup', '--out', archive, '--force'], { GATEHOUSE_DATA_DIR: dirA }).code).toBe(0);
  });

  it('refuses to restore without the master key the backup was taken with, naming it, and writes nothing', () => {
    const wrongKey = runGatehouse(['restore', archive], { GATEHOUSE_DATA_DIR: dirB, GATEHOUSE_MASTER_KEY: otherKey });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(
      `The configured master key has id ${masterKeyId(Buffer.from(otherKey, 'base64'))}`,
    );
    expect(wrongKey.stderr).toContain(`wrapped by master key id ${masterKeyIdText}`);
    expect(wrongKey.stderr).toContain('The master key the backup was taken with is needed');
    expect(wrongKey.stderr).toContain('cannot be read');
    expect(fs.existsSync(path.join(dirB, 'pglite'))).toBe(false);

    const noKey = runGatehouse(['restore', archive], { GATEHOUSE_DATA_DIR: dirB });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('No master key is configured');
    expect(noKey.stderr).toContain(`wrapped by master key id ${masterKeyIdText}`);
    expect(fs.existsSync(path.join(dirB, 'pglite'))).toBe(false);
    expect(fs.existsSync(path.join(dirB, 'master.key'))).toBe(false);
  });

  it('refuses a truncated or altered archive with a clear message, never a stack trace', () => {
    const cut = path.join(root, 'cut.tar');
    const bytes = fs.readFileSync(archive);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const dirC = path.join(root, 'c');
    const truncated = runGatehouse(['restore', cut], { GATEHOUSE_DATA_DIR: dirC, GATEHOUSE_MASTER_KEY: masterKey });
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toBe(`Error: ${cut} is not a readable Gatehouse backup: it is truncated.`);

    const altered = Buffer.from(bytes);
    const inDump = altered.length - 2048;
    altered[inDump] = altered[inDump]! ^ 0xff;
    fs.writeFileSync(cut, altered);
    const damaged = runGatehouse(['restore', cut], { GATEHOUSE_DATA_DIR: dirC, GATEHOUSE_MASTER_KEY: masterKey });
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/^Error: .* is damaged: its database dump does not match the checksum/);

    fs.writeFileSync(cut, 'not a backup at all\n');
    const notTar = runGatehouse(['restore', cut], { GATEHOUSE_DATA_DIR: dirC, GATEHOUSE_MASTER_KEY: masterKey });
    expect(notTar.code).toBe(1);
    expect(notTar.stderr).toMatch(/^Error: .* is not a readable Gatehouse backup: it is not a tar archive/);
    expect(fs.existsSync(path.join(dirC, 'pglite'))).toBe(false);
  });

  it('restores into a new data directory with the same master key, and refuses one that holds a database', () => {
    const restored = runGatehouse(['restore', archive], { GATEHOUSE_DATA_DIR: dirB, GATEHOUSE_MASTER_KEY: masterKey });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`Restored 1 workspace(s) from ${archive}`);
    expect(restored.stdout).toContain(`The master key (id ${masterKeyIdText}) opens every data key`);

    const again = runGatehouse(['restore', archive], { GATEHOUSE_DATA_DIR: dirB, GATEHOUSE_MASTER_KEY: masterKey });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'already holds a database; gatehouse restore only restores into a new data directory',
    );
  });

  it('a server started on the restored data with another master key stops, saying that master key is needed', async () => {
    const { code, output } = await serveUntilExit({ GATEHOUSE_DATA_DIR: dirB, GATEHOUSE_MASTER_KEY: otherKey });
    expect(code).toBe(1);
    expect(output).toContain(`which were wrapped by master key id(s) ${masterKeyIdText}`);
    expect(output).toContain('That master key is needed');
  });

  it('serves the restored workspace: the owner signs in with the second factor and reads the sealed secrets', async () => {
    const server = await serveGatehouse({ GATEHOUSE_DATA_DIR: dirB, GATEHOUSE_MASTER_KEY: masterKey });
    running = server.child;
    // The same browser (its cookies, among them the trusted device's) now talks to the restored server.
    owner.baseUrl = server.url;
    await expectOk(
      owner.post('/api/v1/auth/sign-in', { workspace: 'acme', username: OWNER.email, password: OWNER.password }),
    );
    // The TOTP secret is sealed: a code is only accepted if the restored data key opens it.
    await expectOk(owner.post('/api/v1/auth/second-factor', { code: await freshCode(mfaSecret) }));

    const members = (await expectOk(owner.get('/api/v1/members'))).members as Array<{ email: string }>;
    expect(members.map((m) => m.email).sort()).toEqual([OWNER.email, MEMBER.email]);
    const detail = await expectOk(owner.get(`/api/v1/accounts/${accountId}`));
    expect(detail).toMatchObject({ name: ACCOUNT.name, username: ACCOUNT.username, notes: ACCOUNT.notes });

    await expectOk(owner.post('/api/v1/mfa/confirm-identity', { code: await freshCode(mfaSecret) }));
    const revealed = await expectOk(owner.post(`/api/v1/accounts/${accountId}/reveal`, { field: 'password' }));
    expect(revealed).toEqual({ value: ACCOUNT.password });

    const member = new HttpClient();
    member.baseUrl = server.url;
    await expectOk(
      member.post('/api/v1/auth/sign-in', { workspace: 'acme', username: MEMBER.email, password: MEMBER.password }),
    );
  });
});

describe('gatehouse backup on PostgreSQL', () => {
  it('refuses and points to pg_dump', () => {
    const result = runGatehouse(['backup', '--out', path.join(os.tmpdir(), 'never-written.tar')], {
      GATEHOUSE_DATABASE_URL: 'postgres://gatehouse@127.0.0.1:5432/gatehouse',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pg_dump -Fc');
    expect(result.stderr).toContain('"Back up and restore" in the README');
  });
});
