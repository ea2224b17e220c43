#!/usr/bin/env node
// `npm run build:extension`: builds the browser extension (extension/) with Vite into extension/dist/
// (the unpacked extension: load it from chrome://extensions) and zips that folder into
// extension/dist-zip/gatehouse-extension.zip, which the server serves at /downloads/gatehouse-extension.zip.
//
// Three builds, because an extension's parts load differently: the content script as one classic script
// (an IIFE: content scripts cannot import modules), the service worker as an ES module (the manifest says
// "type": "module"), and the popup as an HTML page with its module script. The manifest is copied with the
// package's version. Not minified: the code a browser runs with access to every page stays readable.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { zipSync } from 'fflate';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const extensionDir = path.join(root, 'extension');
const sourceDir = path.join(extensionDir, 'src');
const outDir = path.join(extensionDir, 'dist');
const zipFile = path.join(extensionDir, 'dist-zip', 'gatehouse-extension.zip');

const started = performance.now();

/** Settings every part shares: no config file, no public dir, one output folder that is not emptied. */
const common = {
  configFile: false,
  root: sourceDir,
  base: './',
  logLevel: 'warn',
  publicDir: false,
  build: { outDir, emptyOutDir: false, minify: false, sourcemap: false, target: 'chrome102', copyPublicDir: false },
};

/** One script built on its own, with everything it imports inlined. */
const script = (name, format) => ({
  ...common,
  build: {
    ...common.build,
    lib: {
      entry: path.join(sourceDir, `${name}.ts`),
      formats: [format],
      name: 'gatehouse',
      fileName: () => `${name}.js`,
    },
  },
});

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
await Promise.all([
  build(script('content', 'iife')),
  build(script('background', 'es')),
  build({
    ...common,
    build: {
      ...common.build,
      modulePreload: { polyfill: false },
      rollupOptions: { input: path.join(sourceDir, 'popup.html'), output: { entryFileNames: '[name].js' } },
    },
  }),
]);

const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);

// A fixed date in every entry: the same sources give the same zip.
const entries = {};
for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const file = path.join(entry.parentPath, entry.name);
  entries[path.relative(outDir, file).split(path.sep).join('/')] = [
    fs.readFileSync(file),
    { mtime: new Date('2000-01-01T00:00:00Z') },
  ];
}
fs.mkdirSync(path.dirname(zipFile), { recursive: true });
const temporary = `${zipFile}.${process.pid}.tmp`;
fs.writeFileSync(temporary, zipSync(entries, { level: 9 }));
// A server may be serving the zip while it is rebuilt: a rename replaces it whole.
fs.renameSync(temporary, zipFile);

console.log(
  `Extension built in ${path.relative(root, outDir)}/ and ${path.relative(root, zipFile)} ` +
    `(${Object.keys(entries).length} files) in ${Math.round(performance.now() - started)} ms`,
);
