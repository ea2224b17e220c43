import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const built = Symbol.for('gatehouse.test.extensionBuilt');
const ZIP = 'extension/dist-zip/gatehouse-extension.zip';
const SOURCES = ['extension/src', 'extension/manifest.json', 'scripts/build-extension.mjs', 'package.json'];

/**
 * Global set-up: the server serves the browser extension's zip (test/integration/downloads.test.ts), so
 * build it when it is missing or older than its sources. `npm test` has just built it (build:extension);
 * this is for `npx vitest run` on its own. The root config and every project run it; one check suffices.
 */
export default function buildExtension(): void {
  const state = globalThis as { [built]?: boolean };
  if (state[built]) return;
  state[built] = true;
  const zipModified = fs.statSync(ZIP, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  if (newestModified(SOURCES) <= zipModified) return;
  execFileSync(process.execPath, ['scripts/build-extension.mjs'], { stdio: 'inherit' });
}

function newestModified(paths: string[]): number {
  let newest = -1;
  for (const entry of paths) {
    const stat = fs.statSync(entry, { throwIfNoEntry: false });
    if (!stat) continue;
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) continue;
    for (const child of fs.readdirSync(entry, { recursive: true, withFileTypes: true })) {
      newest = Math.max(newest, fs.statSync(path.join(child.parentPath, child.name)).mtimeMs);
    }
  }
  return newest;
}
