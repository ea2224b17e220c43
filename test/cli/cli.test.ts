import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/gatehouse.mjs');

function run(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

/** Starts `gatehouse serve` as its own process and resolves once it is listening. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)","publicUrl"/.exec(output);
      if (match) resolve({ child, url: match[1]!, log: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('gatehouse command on the embedded database', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
    server = await serve({ GATEHOUSE_DATA_DIR: dataDir });
  }, 120_000);
  afterAll(async () => {
    if (server) await stop(server.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a development master key once, readable by its owner only, and says so', () => {
    const keyFile = path.join(dataDir, 'master.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(server.log()).toContain('generated a development master key');
    expect(server.log()).not.toContain(fs.readFileSync(keyFile, 'utf8').trim());
  });

  it('serves health, readiness and the set-up page', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/api/v1/setup`)).json()).toEqual({ needsSetup: true });
  });

  it('refuses to open the data directory while the server holds it', () => {
    const result = run(
      [
        'workspace',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme Inc',
        '--owner-email',
        'a@acme.test',
        '--owner-password',
        'correct horse battery',
      ],
      { GATEHOUSE_DATA_DIR: dataDir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is in use by another Gatehouse process (pid ${server.child.pid})`);
  });

  it('creates a workspace from the command line once the server has stopped, and the server then serves it', async () => {
    await stop(server.child);
    const result = run(
      [
        'workspace',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme Inc',
        '--owner-email',
        'a@acme.test',
        '--owner-password',
        'correct horse battery',
        '--domain',
        'acme.test',
      ],
      { GATEHOUSE_DATA_DIR: dataDir },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as { workspaceId: string; ownerId: string; slug: string };
    expect(created.slug).toBe('acme');
    expect(created.workspaceId).toMatch(/^[0-9a-f-]{36}$/);

    server = await serve({ GATEHOUSE_DATA_DIR: dataDir });
    const workspace = await fetch(`${server.url}/api/v1/workspaces/acme`);
    expect(await workspace.json()).toEqual({ slug: 'acme', name: 'Acme Inc', mode: 'local', redirectSeconds: null });
    expect(server.log()).not.toContain('generated a development master key');
  }, 120_000);
});

describe('gatehouse command errors', () => {
  it('stops with one line naming a bad setting', () => {
    const result = run(['serve'], { PORT: 'eighty', GATEHOUSE_DATA_DIR: os.tmpdir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Configuration error: PORT must be a whole number from 0 to 65535');
  });

  it('explains its usage for an unknown command or a bad option', () => {
    const unknown = run(['frobnicate'], {});
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: gatehouse');

    const badSlug = run(
      [
        'workspace',
        'create',
        '--slug',
        'Not A Slug',
        '--name',
        'X',
        '--owner-email',
        'a@x.test',
        '--owner-password',
        'correct horse battery',
      ],
      {},
    );
    expect(badSlug.code).toBe(64);
    expect(badSlug.stderr).toContain('--slug');
  });

  it('refuses a weak owner password without touching the database', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
    const result = run(
      [
        'workspace',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme',
        '--owner-email',
        'a@acme.test',
        '--owner-password',
        'Zq8-short',
      ],
      {
        GATEHOUSE_DATA_DIR: dataDir,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: Use at least 12 characters.');
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
