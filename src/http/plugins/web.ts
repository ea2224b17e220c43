import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { sendProblem } from '../problems.js';

/**
 * Serves the built React app and answers unknown paths: API paths get a problem+json 404, page paths
 * get index.html so the client-side router can take them.
 */
export default async function webPlugin(app: FastifyInstance, options: { distDir: string }): Promise<void> {
  const indexFile = path.join(options.distDir, 'index.html');
  const built = fs.existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, { root: options.distDir, wildcard: false, index: false, maxAge: '1h' });
  }
  // /metrics too: with metrics off, a scraper gets a 404 problem rather than the web app's page.
  const isApiPath = (url: string) =>
    url.startsWith('/api/') ||
    url === '/api' ||
    url === '/healthz' ||
    url === '/readyz' ||
    url.split('?')[0] === '/metrics';

  app.setNotFoundHandler(async (request, reply) => {
    if (isApiPath(request.url) || (request.method !== 'GET' && request.method !== 'HEAD')) {
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
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 });
  });
}
