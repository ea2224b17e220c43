import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { SLUG_PATTERN } from '../../domain/slug.js';
import { sendProblem } from '../problems.js';

/** Vite names every file under assets/ by a hash of its content: a changed file is a new URL. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Anything else (index.html): may be stored, but is revalidated (ETag) before each use. */
export const REVALIDATE = 'no-cache';

/** Where the slug goes in sign-in.html; the same as SLUG_TOKEN in scripts/prerender-web.mjs. */
export const SIGN_IN_SLUG_TOKEN = '__gatehouse_slug__';

/** br when the client takes it, else gzip, else none; an encoding with q=0 is refused. */
function preferredEncoding(header: string | string[] | undefined): 'br' | 'gzip' | 'identity' {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

/**
 * Serves the built React app and answers unknown paths: API paths get a problem+json 404, page paths
 * get index.html so the client-side router can take them.
 *
 * Compression is done once at build time (scripts/precompress-web.mjs writes .br and .gz beside each
 * file): @fastify/static sends the copy the request's Accept-Encoding prefers, with `Vary:
 * Accept-Encoding`, and the file itself to a client that accepts neither. The hashed files under
 * /assets/ are cached for a year as immutable; index.html, which names them, is revalidated every time,
 * so a release is picked up on the next load.
 */
export default async function webPlugin(app: FastifyInstance, options: { distDir: string }): Promise<void> {
  const indexFile = path.join(options.distDir, 'index.html');
  const assetsDir = path.join(options.distDir, 'assets') + path.sep;
  const built = fs.existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: options.distDir,
      wildcard: false,
      index: false,
      preCompressed: true,
      // The compressed copies are chosen by the plugin, not addressed; sign-in.html is the template the
      // route below fills in. None of them gets a route of its own.
      globIgnore: ['**/*.br', '**/*.gz', 'sign-in.html'],
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        reply.header('cache-control', filePath.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE);
      },
    });
  }
  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', REVALIDATE).sendFile('index.html');

  // The sign-in page rendered at build time (scripts/prerender-web.mjs), with the form in the HTML: sent
  // for a plain /w/:slug/sign-in, so the form shows before the scripts run. With a query (?username=,
  // ?sso=) the first frame differs from the rendered one, so those get index.html like any other page.
  const signInFile = path.join(options.distDir, 'sign-in.html');
  const signInTemplate = built && fs.existsSync(signInFile) ? fs.readFileSync(signInFile, 'utf8') : null;
  if (signInTemplate) {
    // Filled in and compressed per workspace and encoding, then kept (a few dozen kB each, a bounded number).
    // Brotli at quality 5: ~2 ms for the page and ~10 % bigger than at quality 11, which takes ~100 times longer.
    const pages = new Map<string, Buffer>();
    const pageFor = (slug: string, encoding: 'br' | 'gzip' | 'identity') => {
      const key = `${encoding} ${slug}`;
      let page = pages.get(key);
      if (!page) {
        // Only a valid slug gets here (lowercase letters, digits, dashes): nothing in it needs escaping.
        const html = Buffer.from(signInTemplate.split(SIGN_IN_SLUG_TOKEN).join(slug));
        page =
          encoding === 'br'
            ? zlib.brotliCompressSync(html, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
            : encoding === 'gzip'
              ? zlib.gzipSync(html)
              : html;
        if (pages.size >= 128) pages.clear();
        pages.set(key, page);
      }
      return page;
    };
    app.get('/w/:slug/sign-in', { schema: { hide: true } }, async (request, reply) => {
      const { slug } = request.params as { slug: string };
      if (request.url.includes('?') || !SLUG_PATTERN.test(slug)) return sendIndex(request, reply);
      const encoding = preferredEncoding(request.headers['accept-encoding']);
      reply.header('cache-control', REVALIDATE).header('vary', 'accept-encoding').type('text/html; charset=utf-8');
      if (encoding !== 'identity') reply.header('content-encoding', encoding);
      return reply.send(pageFor(slug, encoding));
    });
  }

  // /metrics too: with metrics off, a scraper gets a 404 problem rather than the web app's page.
  const isApiPath = (url: string) =>
    url.startsWith('/api/') ||
    url === '/api' ||
    url === '/healthz' ||
    url === '/readyz' ||
    url.split('?')[0] === '/metrics';

  app.setNotFoundHandler(async (request, reply) => {
    // A file under /assets/ that is not there (a chunk of an older release): a 404, not the app's page,
    // which a browser would try to run as a script.
    const isAssetPath = request.url.startsWith('/assets/');
    if (isApiPath(request.url) || isAssetPath || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return sendProblem(reply, {
        type: 'not-found',
        title: 'Not found',
        status: 404,
        detail: `There is no ${request.method} ${request.url.split('?')[0]}.`,
      });
    }
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web app has not been built. Run `npm run build:web` (npm start does it for you).');
    }
    return sendIndex(request, reply);
  });
}
