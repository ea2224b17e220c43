import type { Config } from '../config.js';
import { startServer } from '../server.js';

/** How long after "Gatehouse is serving" the start-up's garbage is handed back (see releaseStartupMemory). */
const RELEASE_STARTUP_MEMORY_AFTER_MS = 3_000;

export async function serveCommand(config: Config): Promise<number> {
  const server = await startServer(config);
  const release = setTimeout(() => {
    releaseStartupMemory().catch((error: unknown) =>
      server.app.log.debug({ err: error }, 'Could not release the start-up memory'),
    );
  }, RELEASE_STARTUP_MEMORY_AFTER_MS);
  release.unref();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      clearTimeout(release);
      server.app.log.info({ signal }, 'Shutting down');
      server.stop().then(resolve, (error: unknown) => {
        server.app.log.error({ err: error }, 'Shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}

/**
 * Start-up (loading modules, building the routes and their schemas, migrations) leaves V8's young
 * generation grown to its maximum and the old generation full of garbage, ~30 MiB that V8's own memory
 * reducer hands back only after about 80–100 s of idleness. One memory-reducing collection (V8's "low
 * memory notification", reached through the in-process inspector session: no port is opened) returns it
 * now, once; docs/performance.md ("Idle memory") has the figures. It pauses the process for one full
 * collection, a few hundred milliseconds at most, a few seconds after start.
 */
async function releaseStartupMemory(): Promise<void> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  await new Promise<void>((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (error) => {
      // Disconnecting inside the callback, while the session is still dispatching, blocks the event loop.
      setImmediate(() => session.disconnect());
      if (error) reject(error);
      else resolve();
    });
  });
}
