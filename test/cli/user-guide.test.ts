import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * docs/user-guide.md does not rot: every picture it shows is in docs/user-guide/ and every picture there is
 * shown; `npm run docs:screenshots` copies exactly those pictures and names each missing shot; its links
 * inside the page lead to a heading; and the labels it names for the key buttons are still the app's words.
 */

const root = path.resolve(import.meta.dirname, '../..');
const guidePath = path.join(root, 'docs', 'user-guide.md');
const imagesDir = path.join(root, 'docs', 'user-guide');
const guide = fs.readFileSync(guidePath, 'utf8');

const linkedImages = [...guide.matchAll(/!\[[^\]]*\]\(user-guide\/([^)]+)\)/g)].map((m) => m[1]!);
const imagesInFolder = fs.readdirSync(imagesDir).filter((name) => name.endsWith('.png'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function webSourceText(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
    .filter((entry) => !entry.name.endsWith('.d.ts'))
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

describe('the user guide', () => {
  it('shows every picture in docs/user-guide/ and nothing else', () => {
    expect(linkedImages.length).toBeGreaterThan(20);
    expect(imagesInFolder.filter((name) => !linkedImages.includes(name))).toEqual([]);
    expect(linkedImages.filter((name) => !imagesInFolder.includes(name))).toEqual([]);
  });

  it('keeps its pictures small enough to live in the repository', () => {
    const bytes = imagesInFolder.reduce((sum, name) => sum + fs.statSync(path.join(imagesDir, name)).size, 0);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('links only to headings it has', () => {
    const anchors = new Set([...guide.matchAll(/^#{1,4} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
    const targets = [...guide.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(20);
    expect(targets.filter((target) => !anchors.has(target))).toEqual([]);
  });

  it('names the key buttons, fields and dialogs as the web app shows them', () => {
    const web = webSourceText(path.join(root, 'web', 'src'));
    const labels = [
      'Add partner',
      'Send Invite',
      'Invite guest users',
      'Share accounts',
      'Select Accounts and Roles',
      'Share Access',
      'Is it ok to share this account?',
      'Log in',
      'Log in as a guest user',
      'Review access',
      'Start review',
      'Invite member',
      'Add account',
      'Generate password',
      'Share with a member',
      'Remove from partner',
      'Access until',
      'Guest access ends on',
      'Save end date',
      'Turn on MFA',
      'Set up a trusted session',
      'Sign out everywhere else',
      'Add a passkey',
      'Export CSV',
      'Download the browser extension',
      'Publish new version',
      'Transfer ownership',
      'Terms of service agreement',
    ];
    // Markdown wraps lines: a label may run over a line end in the guide.
    const guideText = guide.replace(/\s+/g, ' ');
    const notInGuide = labels.filter((label) => !guideText.includes(`**${label}**`));
    const notInApp = labels.filter((label) => !web.includes(label));
    expect(notInGuide).toEqual([]);
    expect(notInApp).toEqual([]);
  });

  it('copies exactly its pictures with npm run docs:screenshots, naming each missing shot', async () => {
    const emptyShots = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-no-shots-'));
    try {
      const run = promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'guide-screenshots.mjs')], {
        env: { ...process.env, GATEHOUSE_SHOTS_DIR: emptyShots },
      });
      const failure = await run.then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const named = [...(failure?.stderr ?? '').matchAll(/\(for ([^)]+)\)/g)].map((m) => m[1]);
      expect(named.sort()).toEqual([...imagesInFolder].sort());
    } finally {
      fs.rmSync(emptyShots, { recursive: true, force: true });
    }
  });
});
