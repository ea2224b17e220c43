import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { COLOR_SCHEME_SCRIPT, COLOR_SCHEME_SCRIPT_SOURCE } from '../../src/http/color-scheme-script.js';

/**
 * The web app as a browser receives it: built from the current sources with the real build steps (Vite,
 * then scripts/precompress-web.mjs) into a folder of this test's own, and served by the real server.
 * The build also writes Vite's manifest (`--manifest`), which says which files each route needs.
 */
const SIGN_IN_FIELDS = [/<label[^>]*>Username<\/label>/, /<label[^>]*>Password<\/label>/, /<input[^>]*type="password"/];
const ENCODINGS = [
  { accept: 'gzip, deflate, br, zstd', encoding: 'br', decode: (body: Buffer) => zlib.brotliDecompressSync(body) },
  { accept: 'gzip, deflate', encoding: 'gzip', decode: (body: Buffer) => zlib.gunzipSync(body) },
  { accept: undefined, encoding: undefined, decode: (body: Buffer) => body },
] as const;

interface ManifestChunk {
  file: string;
  name?: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

describe('the built web app: compressed, cached and split by route', () => {
  let distDir: string;
  let t: TestApp;
  let manifest: Record<string, ManifestChunk>;
  let indexHtml: string;

  beforeAll(async () => {
    distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-web-assets-'));
    const build = (args: string[]) => execFileSync(process.execPath, args, { stdio: 'pipe' });
    build([
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'web/vite.config.ts',
      '--outDir',
      distDir,
      '--emptyOutDir',
      '--manifest',
      '--logLevel',
      'warn',
    ]);
    build(['scripts/prerender-web.mjs', distDir]);
    build(['scripts/precompress-web.mjs', distDir]);
    manifest = JSON.parse(fs.readFileSync(path.join(distDir, '.vite', 'manifest.json'), 'utf8')) as Record<
      string,
      ManifestChunk
    >;
    indexHtml = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
    t = await createTestApp({ worker: false, webDistDir: distDir });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (distDir) fs.rmSync(distDir, { recursive: true, force: true });
  });

  const get = (url: string, accept?: string) =>
    t.app.inject({ method: 'GET', url, headers: accept ? { 'accept-encoding': accept } : {} });

  /** The entry script and the files it imports, as index.html names them (what every first load fetches). */
  const initialFiles = () =>
    [...indexHtml.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);

  it('sends the app page brotli-compressed, gzip-compressed or as is, as the browser accepts, revalidated each time', async () => {
    const file = fs.readFileSync(path.join(distDir, 'index.html'));
    for (const url of ['/', '/w/acme/sign-in?username=ada', '/w/acme/forgot-password', '/app/members']) {
      for (const { accept, encoding, decode } of ENCODINGS) {
        const response = await get(url, accept);

        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.headers['content-encoding']).toBe(encoding);
        expect(String(response.headers.vary)).toMatch(/accept-encoding/i);
        expect(response.headers['cache-control']).toBe('no-cache');
        // The security headers still come with it.
        expect(response.headers['content-security-policy']).toContain("script-src 'self'");
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(decode(response.rawPayload).equals(file)).toBe(true);
      }
    }
  });

  it('sends the sign-in page with its form already in the HTML, for the workspace in the address', async () => {
    for (const { accept, encoding, decode } of ENCODINGS) {
      const response = await get('/w/acme/sign-in', accept);

      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(String(response.headers.vary)).toMatch(/accept-encoding/i);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      const html = decode(response.rawPayload).toString('utf8');
      for (const field of SIGN_IN_FIELDS) expect(html).toMatch(field);
      expect(html).toContain('href="/w/acme/forgot-password"');
      expect(html).not.toContain('__gatehouse_slug__');
      // The same scripts as every other page, which take the rendered form over.
      for (const file of initialFiles()) expect(html).toContain(`/${file}`);
      // One inline script, the colour scheme's, which the Content-Security-Policy allows by its hash; no other.
      expect(response.headers['content-security-policy']).toContain(COLOR_SCHEME_SCRIPT_SOURCE);
      const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([^<]*)<\/script>/g)].map(
        (match) => match[1],
      );
      expect(inlineScripts).toEqual([COLOR_SCHEME_SCRIPT]);
    }
    // Another workspace gets its own links.
    const other = await get('/w/globex-2/sign-in');
    expect(other.body).toContain('href="/w/globex-2/forgot-password"');
  });

  it('sends index.html for a sign-in address it cannot render ahead (a query, or no valid workspace name)', async () => {
    for (const url of ['/w/acme/sign-in?sso=denied', '/w/Not%20A%20Slug/sign-in']) {
      const response = await get(url);

      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(indexHtml);
    }
  });

  it('sends the hashed scripts and styles compressed, with a year of immutable caching', async () => {
    const files = initialFiles();
    expect(files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(files.some((file) => file.endsWith('.css'))).toBe(true);
    for (const file of files) {
      const original = fs.readFileSync(path.join(distDir, file));
      if (original.length < 1024) continue; // too small to be worth compressing: served as is
      for (const { accept, encoding, decode } of ENCODINGS) {
        const response = await get(`/${file}`, accept);

        expect(response.statusCode, file).toBe(200);
        expect(response.headers['content-type'], file).toMatch(file.endsWith('.js') ? /javascript/ : /^text\/css/);
        expect(response.headers['content-encoding'], file).toBe(encoding);
        expect(String(response.headers.vary), file).toMatch(/accept-encoding/i);
        expect(response.headers['cache-control'], file).toBe('public, max-age=31536000, immutable');
        expect(decode(response.rawPayload).equals(original), file).toBe(true);
        if (encoding) expect(response.rawPayload.length, file).toBeLessThan(original.length);
      }
    }
  });

  it('answers a missing file under /assets/ with a 404, not with the app page', async () => {
    const response = await get('/assets/index-OldRelease.js', 'gzip, deflate, br');

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('does not give the compressed copies addresses of their own', async () => {
    const [entry] = initialFiles();
    const response = await get(`/${entry}.br`);

    expect(response.statusCode).toBe(404);
  });

  it('loads only a fraction of the app for the sign-in page, and the rest when its routes are opened', () => {
    const chunks = Object.values(manifest);
    const entry = chunks.find((chunk) => chunk.isEntry && chunk.src === 'index.html');
    expect(entry).toBeDefined();

    // The sign-in route renders from the entry and its static imports: no page chunk of its own to wait for.
    const initial = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key]!;
      if (initial.has(chunk.file)) return;
      initial.add(chunk.file);
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit(entry!.src!);
    for (const page of ['SignInPage', 'WorkspaceWaitPage', 'LoginPage', 'RootRedirect']) {
      expect(manifest[`src/pages/${page}.tsx`], `${page} is in the entry chunk`).toBeUndefined();
    }
    // index.html names exactly those files, so the browser fetches them in parallel, not one after another.
    expect(new Set(initialFiles().filter((file) => file.endsWith('.js')))).toEqual(initial);

    // The signed-in app and the other pages are chunks of their own, loaded when their route is opened.
    for (const name of ['AppLayout', 'DashboardPage', 'MembersPage', 'AccountPage', 'SetupPage']) {
      const chunk = chunks.find((c) => c.name === name);
      expect(chunk, `${name} has a chunk of its own`).toBeDefined();
      expect(initial.has(chunk!.file), `${name} is not loaded up front`).toBe(false);
    }

    const size = (file: string) => fs.statSync(path.join(distDir, file)).size;
    const allJs = fs
      .readdirSync(path.join(distDir, 'assets'))
      .filter((file) => file.endsWith('.js'))
      .reduce((sum, file) => sum + size(`assets/${file}`), 0);
    const initialJs = [...initial].reduce((sum, file) => sum + size(file), 0);
    expect(initialJs / allJs).toBeLessThan(0.6);
  });
});
