import type { Config } from '../config.js';
import { startServer } from '../server.js';

export async function serveCommand(config: Config): Promise<number> {
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
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
