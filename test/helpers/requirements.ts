import fs from 'node:fs';

/**
 * Which real components the run must have. Locally a missing PostgreSQL or Chromium is skipped with a
 * notice; in CI (CI=true) or when GATEHOUSE_TEST_REQUIRE lists it, a missing component fails the run.
 */
export type Component = 'postgres' | 'redis' | 'browser';

export function isRequired(component: Component): boolean {
  const listed = (process.env.GATEHOUSE_TEST_REQUIRE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return process.env.CI === 'true' || listed.includes(component) || listed.includes('all');
}

export const CHROMIUM_PATH = process.env.GATEHOUSE_TEST_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

export function postgresUrl(): string | undefined {
  return process.env.GATEHOUSE_TEST_DATABASE_URL?.trim() || undefined;
}

/** The Redis for tests that run the attempt counters in Redis (each test uses a key prefix of its own). */
export function redisUrl(): string | undefined {
  return process.env.GATEHOUSE_TEST_REDIS_URL?.trim() || undefined;
}
