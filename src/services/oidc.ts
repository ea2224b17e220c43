import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import type { Database, Workspace } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { hashToken } from '../crypto/tokens.js';

/** A sign-in started at the IdP must come back within this time. */
export const OIDC_REQUEST_TTL_MS = 10 * 60 * 1000;
/** A discovered provider configuration is reused for this long. */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
/** A failed discovery is remembered briefly, so a dead IdP is not asked again on every page view. */
const DISCOVERY_FAILURE_TTL_MS = 10 * 1000;
/** Seconds to wait for the discovery document before calling the IdP unavailable. */
const DISCOVERY_TIMEOUT_SECONDS = 5;

export const OIDC_SCOPE = 'openid email profile';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An issuer must be an https URL; plain http is allowed only for a provider on this machine (development
 * and tests). Returns what is wrong, or null. No query or fragment: the issuer is an identifier.
 */
export function issuerUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL such as https://login.example.com';
  }
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'must be an https:// URL (http:// only for localhost or 127.0.0.1)';
}

export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
}

export const idpUnavailable = (detail: string, status = 502) =>
  new AppError('idp-unavailable', status, 'Identity provider unavailable', detail);

type CacheEntry =
  | { kind: 'ok'; metadata: client.ServerMetadata; until: number }
  | { kind: 'failed'; reason: string; until: number }
  | { kind: 'pending'; promise: Promise<client.ServerMetadata> };

const discoveryCache = new Map<string, CacheEntry>();

/** Forget every discovered provider (tests, or after an operator changes an issuer). */
export function clearDiscoveryCache(): void {
  discoveryCache.clear();
}

function describeFailure(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'it did not answer in time';
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name could not be resolved';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    return 'its discovery document is not valid for this issuer';
  }
  return 'its discovery document could not be loaded';
}

async function discoverMetadata(issuer: string): Promise<client.ServerMetadata> {
  const url = new URL(issuer);
  const config = await client.discovery(url, 'gatehouse-discovery', undefined, undefined, {
    timeout: DISCOVERY_TIMEOUT_SECONDS,
    ...(isLoopbackHttp(url) ? { execute: [client.allowInsecureRequests] } : {}),
  });
  return { ...config.serverMetadata() };
}

/**
 * The provider's metadata from `{issuer}/.well-known/openid-configuration`, cached per issuer for ten
 * minutes; concurrent callers share one request. Throws an `idp-unavailable` problem when it fails.
 */
export async function providerMetadata(issuer: string, now = Date.now()): Promise<client.ServerMetadata> {
  const cached = discoveryCache.get(issuer);
  if (cached?.kind === 'pending') return cached.promise;
  if (cached?.kind === 'ok' && cached.until > now) return cached.metadata;
  if (cached?.kind === 'failed' && cached.until > now) throw idpUnavailable(unavailableDetail(cached.reason));

  // Concurrent callers share this promise, so it already carries the problem they should see.
  const promise = discoverMetadata(issuer).then(
    (metadata) => {
      discoveryCache.set(issuer, { kind: 'ok', metadata, until: Date.now() + DISCOVERY_TTL_MS });
      return metadata;
    },
    (error: unknown) => {
      const reason = describeFailure(error);
      discoveryCache.set(issuer, { kind: 'failed', reason, until: Date.now() + DISCOVERY_FAILURE_TTL_MS });
      throw idpUnavailable(unavailableDetail(reason));
    },
  );
  discoveryCache.set(issuer, { kind: 'pending', promise });
  return promise;
}

function unavailableDetail(reason: string): string {
  return `Your company's sign-in service cannot be reached right now (${reason}). Try again in a few minutes; guests can still sign in with their Gatehouse username and password.`;
}

/** The client configuration for a workspace's IdP (discovered metadata + the workspace's client id). */
export async function clientConfiguration(workspace: Pick<Workspace, 'idp_issuer' | 'idp_client_id'>) {
  if (!workspace.idp_issuer || !workspace.idp_client_id) {
    throw idpUnavailable('Single sign-on is not set up for this workspace yet. Guests can still sign in below.', 503);
  }
  const metadata = await providerMetadata(workspace.idp_issuer);
  const config = new client.Configuration(metadata, workspace.idp_client_id);
  if (isLoopbackHttp(new URL(workspace.idp_issuer))) client.allowInsecureRequests(config);
  return config;
}

export interface StartedAuthorization {
  /** Where to send the browser: the IdP's authorization endpoint with every parameter. */
  url: URL;
  /** The state in clear, for binding to this browser; the database holds only its hash. */
  state: string;
}

/**
 * Starts an authorization-code sign-in with PKCE (S256): stores the state's hash, the nonce and the code
 * verifier for ten minutes, and returns the authorization URL. Expired requests are swept on the way.
 */
export async function startAuthorization(
  db: Kysely<Database>,
  workspace: Pick<Workspace, 'id' | 'idp_issuer' | 'idp_client_id'>,
  redirectUri: string,
): Promise<StartedAuthorization> {
  const config = await clientConfiguration(workspace);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);

  await db.deleteFrom('oidc_requests').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('oidc_requests')
    .values({
      state_hash: hashToken(state),
      workspace_id: workspace.id,
      nonce,
      code_verifier: codeVerifier,
      expires_at: new Date(Date.now() + OIDC_REQUEST_TTL_MS),
    })
    .execute();

  const url = client.buildAuthorizationUrl(config, {
    response_type: 'code',
    scope: OIDC_SCOPE,
    redirect_uri: redirectUri,
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  return { url, state };
}

/**
 * Takes the pending request for a state off the table (once only: a replayed callback finds nothing).
 * Returns it with its workspace's slug, or undefined when the state is unknown or has expired.
 */
export async function consumeAuthorization(db: Kysely<Database>, state: string) {
  const row = await db
    .deleteFrom('oidc_requests')
    .where('state_hash', '=', hashToken(state))
    .returningAll()
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
  const workspace = await db
    .selectFrom('workspaces')
    .select(['id', 'slug'])
    .where('id', '=', row.workspace_id)
    .executeTakeFirst();
  if (!workspace) return undefined;
  return { request: row, workspace };
}
