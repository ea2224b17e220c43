import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A person at the test provider: the claims it puts in their ID token, and how they authenticated. */
export interface TestIdpUser {
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  /** RFC 8176 authentication methods the provider asserts in `amr` (e.g. ['pwd', 'otp']). */
  amr?: string[];
}

/** Rewrites the ID token the token endpoint returns; `resign: false` keeps the provider's signature. */
export type IdTokenTamper = (claims: Record<string, unknown>) => { claims: Record<string, unknown>; resign: boolean };

export interface TestOidcProvider {
  /** `http://127.0.0.1:{port}`, as the provider announces it in its discovery document. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's authorization endpoint, from its discovery document. */
  authorizationEndpoint: string;
  /**
   * People the provider knows, by login (their `sub`); tests may change them at any time. Someone not
   * listed can still sign in with any login and gets an ID token with `sub` only.
   */
  users: Map<string, TestIdpUser>;
  /** Set to rewrite the next ID tokens (wrong audience, tampered claims…); undefined leaves them alone. */
  tamperIdToken: IdTokenTamper | undefined;
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
  users?: Record<string, TestIdpUser>;
  /** How the client authenticates at the token endpoint (default client_secret_basic). */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** The client's public keys, for private_key_jwt. */
  clientJwks?: { keys: object[] };
}): Promise<TestOidcProvider> {
  const users = new Map(Object.entries(options.users ?? {}));
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
            token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_basic',
            ...(options.clientJwks ? { jwks: options.clientJwks as never } : {}),
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        pkce: { required: () => true },
        // Fixed lifetimes, so the provider does not print a notice for each default it computes.
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
        claims: {
          acr: null,
          sid: null,
          auth_time: null,
          iss: null,
          // amr in every ID token that has one, as IdPs that report MFA do.
          openid: ['sub', 'amr'],
          email: ['email', 'email_verified'],
          profile: ['name', 'given_name', 'family_name'],
        },
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => {
            const { amr: _amr, ...claims } = users.get(sub) ?? {};
            return { sub, ...claims };
          },
        }),
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' } as never] },
      }),
  );
  provider.proxy = false;
  const state: { tamper: IdTokenTamper | undefined } = { tamper: undefined };
  provider.use(signInAndConsent(provider, users));
  provider.use(tamperTokenResponse(state, privateKey));
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
    users,
    get tamperIdToken() {
      return state.tamper;
    },
    set tamperIdToken(tamper: IdTokenTamper | undefined) {
      state.tamper = tamper;
    },
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
 * What a person's browser does at the provider: follows the authorization request Gatehouse redirected
 * it to, opens the provider's own login page and submits it as `login` (any password is accepted) or
 * aborts there, and returns the URL the provider sends the browser back to, not yet followed.
 */
export async function loginAtProvider(
  idp: TestOidcProvider,
  authorizationUrl: string | URL,
  login: string,
  action: 'login' | 'abort' = 'login',
): Promise<URL> {
  const browser = new ProviderBrowser(idp.issuer);
  let response = await browser.get(authorizationUrl);
  let location = browser.redirect(response);
  if (!/^\/interaction\//.test(location.pathname)) {
    throw new Error(`Expected the provider to send the browser to its login page, not to ${location.href}`);
  }
  const loginPage = await (await browser.get(location)).text();
  if (!loginPage.includes('name="login"'))
    throw new Error(`The provider's login page has no login field: ${loginPage}`);
  response =
    action === 'login'
      ? await browser.post(location, { prompt: 'login', login, password: 'anything' })
      : await browser.get(new URL(`${location.pathname}/abort`, idp.issuer));
  // The provider resumes the authorization, then redirects to the client's redirect_uri.
  for (let hops = 0; hops < 5; hops++) {
    location = browser.redirect(response);
    if (location.origin !== idp.issuer) break;
    response = await browser.get(location);
  }
  return location;
}

/** A cookie jar for the provider's own pages, as a browser keeps one per site; redirects are not followed. */
class ProviderBrowser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly issuer: string) {}

  async get(url: string | URL): Promise<Response> {
    return this.keep(await fetch(url, { redirect: 'manual', headers: { cookie: this.header() } }));
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.keep(
      await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** Where a redirect sends the browser, relative to the provider. */
  redirect(response: Response): URL {
    const location = response.headers.get('location');
    if (!location) throw new Error(`Expected a redirect from the provider, got ${response.status} ${response.url}`);
    return new URL(location, this.issuer);
  }

  private header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: Response): Response {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return response;
  }
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

/**
 * The provider's own login form, submitted: like its development interaction (any login, any password)
 * but it also records the person's `amr` and grants the first-party client the requested scopes, so the
 * browser goes straight back to the client instead of to a consent page.
 */
function signInAndConsent(provider: Provider, users: Map<string, TestIdpUser>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const body = new URLSearchParams(await readBody(ctx.req));
    if (body.get('prompt') !== 'login') return next();
    const login = body.get('login') ?? '';
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    const amr = users.get(login)?.amr;
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: login, ...(amr ? { amr } : {}) }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  };
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

/** Rewrites the token endpoint's ID token when a test asks for it (see `tamperIdToken`). */
function tamperTokenResponse(state: { tamper: IdTokenTamper | undefined }, key: KeyObject) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const tamper = state.tamper;
    if (!tamper || ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    const original = body.id_token;
    const [header, payload, signature] = original.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { claims, resign } = tamper(decoded);
    const newPayload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    if (resign) {
      // Signed with the provider's own key: a valid signature over claims the provider never issued.
      const newHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'test' })).toString('base64url');
      const signer = createSign('RSA-SHA256');
      signer.update(`${newHeader}.${newPayload}`);
      body.id_token = `${newHeader}.${newPayload}.${signer.sign(key).toString('base64url')}`;
    } else {
      body.id_token = `${header}.${newPayload}.${signature}`;
    }
  };
}
