import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

export interface TestOidcProvider {
  /** `http://127.0.0.1:{port}`, as the provider announces it in its discovery document. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's authorization endpoint, from its discovery document. */
  authorizationEndpoint: string;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider, the certified implementation) on 127.0.0.1 over plain
 * http, with one confidential client that must use PKCE. Nothing about it is mocked: it checks every
 * authorization request as a production provider would and answers with its own login (interaction) page.
 */
export async function startOidcProvider(options: {
  redirectUris: string[];
  clientId?: string;
}): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? 'gatehouse-test';
  const clientSecret = randomBytes(24).toString('base64url');
  // Start the server first to learn the port: the issuer must name it.
  let handler: http.RequestListener = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const server = http.createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  // Keys of our own, so the provider does not warn about its development keys.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = withoutQuickStartWarnings(
    () =>
      new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: options.redirectUris,
            token_endpoint_auth_method: 'client_secret_basic',
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        pkce: { required: () => true },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' } as never] },
      }),
  );
  provider.proxy = false;
  handler = provider.callback();

  let closed = false;
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
  };
  return {
    issuer,
    clientId,
    clientSecret,
    authorizationEndpoint: discovery.authorization_endpoint,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The in-memory adapter and the built-in login pages are exactly what a test provider wants; the
 * provider warns about them on every construction, which would bury real output.
 */
function withoutQuickStartWarnings<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('quick start development-only')) return;
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}
