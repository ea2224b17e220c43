import { execFileSync } from 'node:child_process';

const built = Symbol.for('gatehouse.test.serverBuilt');

/**
 * Global set-up: tests that run the `gatehouse` command (test/cli, key rotation) run the compiled one
 * (bin/gatehouse.mjs runs dist/), so compile the current sources first. Modules already compiled and
 * unchanged are skipped. The root config and every project run their global set-up; one build suffices.
 */
export default function buildServer(): void {
  const state = globalThis as { [built]?: boolean };
  if (state[built]) return;
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
  state[built] = true;
}
