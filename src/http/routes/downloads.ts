import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../problems.js';

export interface DownloadOptions {
  /** The browser extension's zip, as `npm run build:extension` writes it. */
  extensionZip: string;
}

/**
 * Files for people to download, outside /api/v1 and open to anyone (SPEC §7a: the browser extension,
 * linked from the Install the client apps page). The zip is read at each request, so a rebuild is served
 * without a restart; it is small.
 */
export default async function downloadRoutes(app: FastifyInstance, options: DownloadOptions): Promise<void> {
  app.get(
    '/downloads/gatehouse-extension.zip',
    { schema: { hide: true }, config: { public: true } },
    async (_request, reply) => {
      let zip: Buffer;
      try {
        zip = await fs.promises.readFile(options.extensionZip);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return sendProblem(reply, {
          type: 'not-found',
          title: 'Not found',
          status: 404,
          detail: 'The browser extension has not been built: run npm run build.',
        });
      }
      return reply
        .type('application/zip')
        .header('content-disposition', 'attachment; filename="gatehouse-extension.zip"')
        .header('cache-control', 'no-cache')
        .send(zip);
    },
  );
}
