#!/usr/bin/env node
// A step of `npm run build:web`, after Vite: renders the sign-in page (/w/:slug/sign-in) at build time into
// web/dist/sign-in.html (or the folder given as the first argument), so the server can send the form in
// the HTML and a browser shows it before the scripts have loaded; main.tsx then hydrates it. The page's
// first frame needs no data (the workspace's name fills in later), so one render serves every workspace:
// the server puts the workspace's slug where SLUG_TOKEN stands (src/http/plugins/web.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

/** Stands for the slug in sign-in.html; must match SIGN_IN_SLUG_TOKEN in src/http/plugins/web.ts. */
export const SLUG_TOKEN = '__gatehouse_slug__';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const distDir = path.resolve(process.argv[2] ?? path.join(root, 'web', 'dist'));
const indexFile = path.join(distDir, 'index.html');
if (!fs.existsSync(indexFile)) {
  process.stderr.write(`prerender-web: no index.html in ${distDir}; build the web app first.\n`);
  process.exit(1);
}

/**
 * The part of the built stylesheet that `markup` needs: every top-level block (rule, @media, @layer…)
 * that names no class (the reset, the variables on :root, element rules), plus those that name a class
 * the markup uses, in both colour schemes. A plain brace count splits the blocks: the stylesheet is
 * Vite's minified output, whose strings and comments hold no braces that would confuse it.
 */
function criticalCss(css, markup) {
  const used = new Set(
    [...markup.matchAll(/\bclass="([^"]*)"/g)].flatMap((match) => match[1].split(/\s+/).filter(Boolean)),
  );
  const blocks = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < css.length; i += 1) {
    const char = css[i];
    if (char === '{') depth += 1;
    else if (char === '}' && --depth === 0) {
      blocks.push(css.slice(start, i + 1));
      start = i + 1;
    } else if (char === ';' && depth === 0) {
      blocks.push(css.slice(start, i + 1)); // @charset, @import, @layer a, b;
      start = i + 1;
    }
  }
  return blocks
    .filter((block) => {
      // The dark scheme's rules stay: the page follows the system's colour scheme from its first paint.
      const classes = block.match(/\.-?[_a-zA-Z][\w-]*/g);
      return !classes || classes.some((name) => used.has(name.slice(1)));
    })
    .join('');
}

// The app built for Node, in a folder of its own under node_modules/.cache: its libraries stay imports,
// which Node resolves from the project's node_modules.
const cacheDir = path.join(root, 'node_modules', '.cache');
fs.mkdirSync(cacheDir, { recursive: true });
const ssrDir = fs.mkdtempSync(path.join(cacheDir, 'gatehouse-prerender-'));
try {
  await build({
    configFile: path.join(root, 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { ssr: 'src/prerender.tsx', outDir: ssrDir, emptyOutDir: true, copyPublicDir: false },
  });
  const { render } = await import(pathToFileURL(path.join(ssrDir, 'prerender.js')).href);
  const markup = render(`/w/${SLUG_TOKEN}/sign-in`);
  if (!markup.includes('type="password"')) throw new Error('the rendered sign-in page has no password field');
  const index = fs.readFileSync(indexFile, 'utf8');
  const stylesheet = /<link rel="stylesheet" crossorigin href="\/(assets\/[^"]+\.css)">/.exec(index);
  if (!stylesheet) throw new Error('index.html links no stylesheet');
  const critical = criticalCss(fs.readFileSync(path.join(distDir, stylesheet[1]), 'utf8'), markup);
  const page = index
    // <html>'s data-mantine-color-scheme, which the rendered markup's styles need, is set by index.html's
    // inline script (src/http/color-scheme-script.ts) before the first paint, as the system prefers.
    // The rules the rendered page uses, inline. The whole stylesheet (for what the page shows later, and
    // the other pages) loads as media="print", which does not hold back the first paint; main.tsx turns it
    // on. It stays in <head>: the theme's variables, in <style> tags in the markup, must come after it.
    .replace(
      stylesheet[0],
      () =>
        `<style>${critical}</style>\n    ${stylesheet[0].replace('<link ', '<link media="print" data-deferred-stylesheet ')}`,
    )
    .replace('<div id="root"></div>', () => `<div id="root">${markup}</div>`);
  if (!page.includes(markup)) throw new Error('index.html has no empty <div id="root"></div> to fill');
  fs.writeFileSync(path.join(distDir, 'sign-in.html'), page);
} finally {
  fs.rmSync(ssrDir, { recursive: true, force: true });
}
