import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, Result } from 'axe-core';

/**
 * The accessibility scan the browser tests run on every page they screenshot (see `screenshot()` in
 * browser.ts): axe-core's WCAG 2.0/2.1/2.2 A and AA rules; any serious or critical violation fails the test.
 */

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** The WCAG levels checked: A and AA of WCAG 2.0, 2.1 and 2.2 (2.2 adds AA rules only). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Impacts that fail the test; moderate and minor findings are not reported. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Third-party UI we do not control, not scanned: the Swagger UI that documents the API
 * (`@fastify/swagger-ui`, served at /api/docs).
 */
function excluded(url: string): boolean {
  try {
    const { protocol, pathname } = new URL(url);
    return (protocol === 'http:' || protocol === 'https:') && /^\/api\/docs(\/|$)/.test(pathname);
  } catch {
    return false;
  }
}

/** Describes one failing rule: what it checks, where, and why each element fails. */
function describeViolation(violation: Result): string {
  const lines = [`- ${violation.id} (${violation.impact}): ${violation.help} — ${violation.helpUrl}`];
  for (const node of violation.nodes) {
    const summary = (node.failureSummary ?? '').replace(/\s*\n\s*/g, ' ').trim();
    lines.push(`    at ${node.target.map(String).join(' >> ')}: ${summary}`);
    lines.push(`      ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  return lines.join('\n');
}

/**
 * Runs axe-core in the page as it is now and throws a readable error listing every serious or critical
 * violation. The script goes in through the DevTools protocol (page.evaluate), which the app's strict
 * Content-Security-Policy (script-src 'self') and an extension's own CSP do not apply to.
 */
export async function expectNoAxeViolations(page: Page, name = page.url()): Promise<void> {
  if (excluded(page.url())) return;
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // axe checks iframes by asking a copy of itself in each frame; the app has none, so scan the top page only.
  await page.evaluate(`if (!window.axe) { ${axeSource}\n }`);
  const results = (await page.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        iframes: false,
        resultTypes: ['violations'],
      }),
    AXE_TAGS,
  )) as AxeResults;
  const failing = results.violations.filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ''));
  if (failing.length === 0) return;
  const count = failing.reduce((total, violation) => total + violation.nodes.length, 0);
  throw new Error(
    `Accessibility scan of "${name}" (${page.url()}): ${count} serious or critical violation(s) of WCAG 2.2 AA:\n` +
      failing.map(describeViolation).join('\n'),
  );
}
