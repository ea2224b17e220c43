import net from 'node:net';
import { createTestApp, type TestApp, type TestAppOptions } from './app.js';

/** A port nobody listens on right now, so that an address can be named before the server starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Boots the app listening on 127.0.0.1 with GATEHOUSE_PUBLIC_URL set to the very address it listens on,
 * so that links the app writes into mail (the invitation's Join as a guest) lead a browser back to it.
 * `t.url` is that address. The port is chosen before start-up; should another process take it in the
 * meantime, it tries again on another.
 */
export async function createPublicTestApp(
  options: Omit<TestAppOptions, 'listen'> & {
    /**
     * The host name in GATEHOUSE_PUBLIC_URL (still listening on 127.0.0.1). WebAuthn refuses IP addresses
     * as relying-party ids, so passkey tests use 'localhost', which resolves to 127.0.0.1.
     */
    hostname?: '127.0.0.1' | 'localhost';
  } = {},
): Promise<TestApp> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
    const t = await createTestApp({ ...options, env: { ...options.env, GATEHOUSE_PUBLIC_URL: url } });
    try {
      await t.app.listen({ port, host: '127.0.0.1' });
      return { ...t, url };
    } catch (error) {
      await t.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw error;
    }
  }
}
