/**
 * `npm run bench`: runs each scenario in its own Node process, one after the other (so one scenario's
 * memory, connections and warm caches never colour the next), and prints their figures.
 *
 *   npm run bench                                  every scenario, in the order below
 *   npm run bench -- --only sign-in,invitations    some of them
 *   npm run bench -- --list                        their names
 *
 * Other flags after `--` are passed to every scenario chosen (e.g. `--scale 0.01` for access-lists).
 * docs/performance.md shows the figures of a full run, with the machine's load beside them.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Scenario {
  name: string;
  file: string;
  what: string;
}

/** Each scenario is a script in bench/ that prints its own figures and exits non-zero if it could not measure. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'access-lists',
    file: 'access-lists.ts',
    what: "a guest's account list and an access check on 1,000,000 grants (PostgreSQL)",
  },
  {
    name: 'activity-chain',
    file: 'activity-chain.ts',
    what: 'the activity chain at 100,000 events: linking them and verifying them (PostgreSQL, PGlite)',
  },
  {
    name: 'sign-in',
    file: 'sign-in.ts',
    what: 'password sign-ins/s vs raw argon2.verify/s at concurrency 1, 2, 4; 8 sign-ins in one workspace vs in 8 (PostgreSQL, +Redis, PGlite)',
  },
  {
    name: 'invitations',
    file: 'invitations.ts',
    what: '1,000 guest invitations through the API until the last mail reaches a real SMTP server (PostgreSQL)',
  },
  {
    name: 'idle-memory',
    file: 'startup.ts',
    what: 'start-up time and idle RSS 30 s after start of `gatehouse serve`, compiled and through tsx (PGlite, PostgreSQL)',
  },
  {
    name: 'first-render',
    file: 'first-render.ts',
    what: 'the sign-in page in Chromium until its password field shows vs a trivial page with one (needs web/dist)',
  },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const scenario of SCENARIOS) process.stdout.write(`${scenario.name.padEnd(20)} ${scenario.what}\n`);
  process.exit(0);
}
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',').filter(Boolean) : undefined;
const passOn = onlyIndex >= 0 ? args.filter((_, i) => i !== onlyIndex && i !== onlyIndex + 1) : args;
const unknown = (only ?? []).filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown scenario(s): ${unknown.join(', ')}. \`npm run bench -- --list\` names them.\n`);
  process.exit(2);
}

const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
const failed: string[] = [];
for (const scenario of chosen) {
  const load1 = os.loadavg()[0] ?? 0;
  process.stdout.write(
    `\n=== ${scenario.name}: ${scenario.what} (load ${load1.toFixed(2)}, ${os.cpus().length} CPUs)\n`,
  );
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(here, scenario.file), ...passOn],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) failed.push(scenario.name);
}
if (failed.length > 0) {
  process.stderr.write(`\nScenario(s) that failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
