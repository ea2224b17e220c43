import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatehouse, serveGatehouse, stopProcess } from '../helpers/cli.js';

describe('gatehouse command on the embedded database', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof serveGatehouse>>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
    server = await serveGatehouse({ GATEHOUSE_DATA_DIR: dataDir });
  }, 120_000);
  afterAll(async () => {
    if (server) await stopProcess(server.child);
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
    const result = runGatehouse(
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
    await stopProcess(server.child);
    const result = runGatehouse(
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

    server = await serveGatehouse({ GATEHOUSE_DATA_DIR: dataDir });
    const workspace = await fetch(`${server.url}/api/v1/workspaces/acme`);
    expect(await workspace.json()).toEqual({ slug: 'acme', name: 'Acme Inc', mode: 'local', redirectSeconds: null });
    expect(server.log()).not.toContain('generated a development master key');
  }, 120_000);
});

describe('gatehouse command errors', () => {
  it('stops with one line naming a bad setting', () => {
    const result = runGatehouse(['serve'], { PORT: 'eighty', GATEHOUSE_DATA_DIR: os.tmpdir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Configuration error: PORT must be a whole number from 0 to 65535');
  });

  it('explains its usage for an unknown command or a bad option', () => {
    const unknown = runGatehouse(['frobnicate'], {});
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: gatehouse');

    const badSlug = runGatehouse(
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
    const result = runGatehouse(
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
