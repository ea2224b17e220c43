import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDirectory } from './lock.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lock-'));
  dirs.push(dir);
  return path.join(dir, 'pglite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('data directory lock', () => {
  it('refuses a directory that a live process holds, naming that process', () => {
    const directory = tempDir();
    const lock = lockDirectory(directory);
    expect(fs.readFileSync(`${directory}.lock`, 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDirectory(directory)).toThrow(DataDirLockedError);
    expect(() => lockDirectory(directory)).toThrow(`in use by another Gatehouse process (pid ${process.pid})`);
    lock.release();
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
    lockDirectory(directory).release();
  });

  it('takes over a lock left behind by a process that has died', () => {
    const directory = tempDir();
    // A pid that certainly ran and is gone: a child process that already exited.
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    fs.writeFileSync(`${directory}.lock`, child.stdout.toString());
    const lock = lockDirectory(directory);
    expect(fs.readFileSync(`${directory}.lock`, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('treats an empty or garbled lock file as stale', () => {
    const directory = tempDir();
    fs.writeFileSync(`${directory}.lock`, 'garbage');
    lockDirectory(directory).release();
  });
});
