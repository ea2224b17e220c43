import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { clientAuthentication } from './oidc-client-auth.js';
import type { Database, Workspace } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import type { WorkspaceKeyring } from './keyring.js';
import { consumeAuthorization, isLoopbackHttp, providerMetadata } from './oidc.js';
import {
  finishFederatedSignIn,
  refuseFederatedSignIn,
  type FederatedFailure,
  type FederatedIdentity,
} from './federated-sign-in.js';

/**
 * The end of a member's sign-in through the workspace's OpenID Connect provider (SPEC §2b): the code is
 * exchanged with its PKCE verifier, the ID token validated (issuer, audience, signature from the
 * provider's JWKS, expiry, iat, nonce), and the person matched by (issuer, sub), linked the first time by
 * a verified email in one of the workspace's verified domains, or created just in time when the
 * workspace allows it. A session then opens as a password sign-in's does.
 */

/**
 * `amr` values (RFC 8176) that count as a second factor asserted by the IdP: such a session is not asked
 * for Gatehouse MFA. Anything else (`pwd` alone, no `amr`) is treated like a password sign-in.
 */
export const MFA_AMR_VALUES: readonly string[] = ['mfa', 'otp', 'hwk', 'swk', 'sc', 'fpt', 'face', 'iris', 'retina'];

/** Seconds of clock difference tolerated between Gatehouse and the IdP for exp, iat and nbf. */
export const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 60;

/** Why a sign-in through the IdP ended without a session; the sign-in page explains each in words. */
export type OidcFailure =
  | FederatedFailure // once the ID token is valid: matching, linking, JIT, the person's status
  | 'expired' // unknown, expired, replayed state, or another browser's
  | 'denied' // the IdP answered error=access_denied (the person cancelled, or the IdP refused them)
  | 'idp_error' // the IdP answered another error
  | 'invalid_response' // the answer or the ID token failed validation (iss, aud, signature, nonce, exp…)
  | 'unavailable'; // the IdP could not be reached, or single sign-on is not set up

export type OidcSignInResult =
  | { ok: true; token: string; workspaceSlug: string; userId: string }
  | { ok: false; reason: OidcFailure; workspaceSlug?: string };

export interface OidcSignInDeps {
  unitOfWork: UnitOfWork;
  keyring: WorkspaceKeyring;
  clock: Clock;
}

const secretAssociatedData = (workspaceId: string) => `workspace:${workspaceId}:idp_client_secret`;

/** Stores (or clears, with null) the workspace's OIDC client secret, sealed with its data key. */
export async function setIdpClientSecret(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  secret: string | null,
): Promise<void> {
  const sealed = secret ? await keyring.seal(tx, workspaceId, secret, secretAssociatedData(workspaceId)) : null;
  await tx.updateTable('workspaces').set({ idp_client_secret_sealed: sealed }).where('id', '=', workspaceId).execute();
}

async function clientConfig(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspace: Workspace,
  now: number,
): Promise<client.Configuration> {
  const metadata = await providerMetadata(workspace.idp_issuer!);
  const secret = workspace.idp_client_secret_sealed
    ? await keyring.open(db, workspace.id, workspace.idp_client_secret_sealed, secretAssociatedData(workspace.id))
    : undefined;
  const config = new client.Configuration(
    metadata,
    workspace.idp_client_id!,
    { [client.clockTolerance]: ID_TOKEN_CLOCK_TOLERANCE_SECONDS },
    await clientAuthentication(db, keyring, workspace, secret, now),
  );
  if (isLoopbackHttp(new URL(workspace.idp_issuer!))) client.allowInsecureRequests(config);
  // Verify the ID token's signature with the provider's JWKS even though it came straight from the token
  // endpoint: a tampered or forged token is refused whatever the transport.
  client.enableNonRepudiationChecks(config);
  return config;
}

function errorCode(error: unknown): string {
  // A 401 from the token endpoint (a wrong client secret) carries its error in WWW-Authenticate.
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0]?.parameters?.error;
    if (challenge) return challenge;
  }
  const e = error as { code?: string; name?: string; error?: string; cause?: { code?: string } };
  return e?.error ?? e?.code ?? e?.cause?.code ?? e?.name ?? 'unknown';
}

/** Network failures talking to the IdP, as opposed to answers that failed validation. */
function isUnreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return true;
  const code = e?.cause?.code ?? e?.code;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT'].includes(code ?? '');
}

interface IdTokenClaims {
  iss: string;
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  given_name?: unknown;
  family_name?: unknown;
  amr?: unknown;
  acr?: unknown;
}

const text = (value: unknown, max = 200): string | null =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;

/** The asserted values that count as a second factor: the workspace's own list if it names one. */
function assertedMfa(amr: unknown, acr: unknown, counted: readonly string[] | null): string[] {
  const accepted = counted ?? MFA_AMR_VALUES;
  const asserted = [...(Array.isArray(amr) ? amr : []), ...(counted && typeof acr === 'string' ? [acr] : [])];
  return asserted.filter((value): value is string => typeof value === 'string' && accepted.includes(value));
}

/**
 * Completes the sign-in the callback names. `callbackUrl` is the full URL the IdP sent the browser to
 * (with code, state, iss…); the caller has already checked that the state is this browser's.
 */
export async function completeOidcSignIn(
  deps: OidcSignInDeps,
  input: { callbackUrl: URL; state: string; replacedToken?: string },
  context: RequestContext,
): Promise<OidcSignInResult> {
  const { db } = deps.unitOfWork;
  const pending = await consumeAuthorization(db, input.state);
  if (!pending) return { ok: false, reason: 'expired' };
  const workspace = await db
    .selectFrom('workspaces')
    .selectAll()
    .where('id', '=', pending.workspace.id)
    .executeTakeFirstOrThrow();
  const refuse = (reason: OidcFailure, details: Record<string, unknown> = {}): Promise<OidcSignInResult> =>
    deps.unitOfWork.run((tx) => refuseFederatedSignIn(tx, workspace, 'oidc', reason, context, details));

  const idpError = input.callbackUrl.searchParams.get('error');
  if (idpError) {
    return refuse(idpError === 'access_denied' ? 'denied' : 'idp_error', { idpError: idpError.slice(0, 100) });
  }
  if (workspace.mode !== 'idp' || !workspace.idp_issuer || !workspace.idp_client_id) {
    return refuse('unavailable', { problem: 'not_configured' });
  }
  // Switched to SAML since this sign-in started: the OpenID provider no longer speaks for members.
  if (workspace.idp_protocol !== 'oidc') return refuse('unavailable', { problem: 'not_oidc_protocol' });

  let claims: IdTokenClaims;
  try {
    const config = await clientConfig(db, deps.keyring, workspace, deps.clock.now());
    const tokens = await client.authorizationCodeGrant(config, input.callbackUrl, {
      pkceCodeVerifier: pending.request.code_verifier,
      expectedState: input.state,
      expectedNonce: pending.request.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) return refuse('invalid_response', { problem: 'no_id_token' });
    claims = { ...(idToken as unknown as IdTokenClaims) };
    // Providers that follow OIDC Core 5.4 strictly put the profile and email claims only in UserInfo when
    // an access token is issued: ask it then (its `sub` must be the ID token's, which openid-client checks).
    if (claims.email === undefined && config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      for (const key of ['email', 'email_verified', 'name', 'given_name', 'family_name'] as const) {
        if (claims[key] === undefined && info[key] !== undefined) claims[key] = info[key];
      }
    }
  } catch (error) {
    const code = errorCode(error);
    if (error instanceof client.AuthorizationResponseError) {
      return refuse(code === 'access_denied' ? 'denied' : 'idp_error', { idpError: code.slice(0, 100) });
    }
    if (isUnreachable(error) || (error as { type?: string })?.type === 'idp-unavailable') {
      return refuse('unavailable', { problem: code });
    }
    return refuse('invalid_response', {
      problem: code,
      message: String((error as Error)?.message ?? '').slice(0, 200),
    });
  }

  const identity: FederatedIdentity = {
    via: 'oidc',
    issuer: claims.iss,
    subject: claims.sub,
    email: text(claims.email, 320)?.toLowerCase() ?? null,
    emailVerified: claims.email_verified === true,
    displayName: text(claims.name),
    givenName: text(claims.given_name),
    familyName: text(claims.family_name),
    secondFactor: { claim: 'amr', values: assertedMfa(claims.amr, claims.acr, workspace.idp_mfa_values) },
  };
  return deps.unitOfWork.run((tx) =>
    finishFederatedSignIn(tx, deps.clock, workspace, identity, context, input.replacedToken),
  );
}
