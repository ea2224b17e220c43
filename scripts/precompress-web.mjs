#!/usr/bin/env node
// The last step of `npm run build:web`: writes a Brotli (.br) and a gzip (.gz) copy beside every text file
// of the built web app (web/dist by default, or the folder given as the first argument), once, at the
// highest compression levels, so the server never compresses at request time: @fastify/static
// (`preCompressed: true`, src/http/plugins/web.ts) picks the copy the browser's Accept-Encoding allows.
// A copy is kept only when it is smaller than the file by a useful margin; otherwise the file is served as is.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Text formats worth compressing; images and fonts in dist are already compressed formats. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map', '.webmanifest']);
/** Below this, headers outweigh what compression saves. */
const MIN_BYTES = 1024;
/** A copy must save at least this share of the file, or it is not worth a second lookup. */
const MIN_SAVING = 0.1;

/** Compresses the compressible files under `dir`; returns what it wrote, for the build's summary. */
export async function precompress(dir) {
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && COMPRESSIBLE.has(path.extname(entry.name)))
    .map((entry) => path.join(entry.parentPath, entry.name));
  const totals = { files: 0, bytes: 0, br: 0, gz: 0 };
  await Promise.all(
    files.map(async (file) => {
      const body = fs.readFileSync(file);
      if (body.length < MIN_BYTES) return;
      const [br, gz] = await Promise.all([
        brotli(body, {
          params: {
            [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
            [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        }),
        gzip(body, { level: zlib.constants.Z_BEST_COMPRESSION }),
      ]);
      totals.files += 1;
      totals.bytes += body.length;
      for (const [extension, copy] of [
        ['.br', br],
        ['.gz', gz],
      ]) {
        const target = file + extension;
        if (copy.length <= body.length * (1 - MIN_SAVING)) {
          fs.writeFileSync(target, copy);
          totals[extension.slice(1)] += copy.length;
        } else {
          fs.rmSync(target, { force: true });
          totals[extension.slice(1)] += body.length;
        }
      }
    }),
  );
  return totals;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
  const dir = path.resolve(process.argv[2] ?? path.join(root, 'web', 'dist'));
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    process.stderr.write(`precompress-web: no index.html in ${dir}; build the web app first.\n`);
    process.exit(1);
  }
  const totals = await precompress(dir);
  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  process.stdout.write(
    `precompress-web: ${totals.files} files, ${kb(totals.bytes)} → brotli ${kb(totals.br)}, gzip ${kb(totals.gz)}\n`,
  );
}
