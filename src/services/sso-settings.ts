import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import type { Database, OidcClientAuthentication, SsoProtocol, WorkspaceMode } from '../db/schema.js';
import type { Actor, RequestContext } from '../domain/actor.js';
import { conflict, forbidden, invalid } from '../domain/errors.js';
import { workspacePolicy } from '../domain/policies/workspace.js';
import { recordEvent } from './activity.js';
import type { WorkspaceKeyring } from './keyring.js';
import { clearDiscoveryCache, isLoopbackHttp, issuerUrlProblem } from './oidc.js';
import { setIdpClientSecret } from './oidc-sign-in.js';
import { ensureSigningKey, oidcJwksPath, pendingKeySwitch } from './oidc-client-auth.js';
import { saveSamlMetadata, storedSamlMetadata, testSamlMetadata, type SamlMetadataTest } from './saml.js';

/** The workspace's OpenID Connect settings as admins see them (SPEC §2b); the client secret never leaves. */
export interface SsoSettings {
  mode: WorkspaceMode;
  /** The protocol members sign in with in `idp` mode. */
  protocol: SsoProtocol;
  /** Whether the IdP's SAML metadata is saved (its details: GET /workspace/saml). */
  samlConfigured: boolean;
  issuer: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  jitProvisioning: boolean;
  /** amr/acr values that count as the IdP's second factor; null: Gatehouse's default amr list. */
  mfaValues: string[] | null;
  /** What the admin copies into the IdP's client registration. */
  redirectUri: string;
  /** How Gatehouse authenticates at the token endpoint. */
  clientAuthentication: OidcClientAuthentication;
  /** For private_key_jwt: the workspace's public signing keys, to register at the IdP; null otherwise. */
  jwksUrl: string | null;
  /** After Rotate key: when Gatehouse starts signing with the new key (ISO 8601), while that is to come. */
  signingKeySwitchAt: string | null;
}

/** The moment the request is judged at (the server's clock, carried by the actor). */
const now = (actor: Actor) => actor.at ?? Date.now();

export interface SsoSettingsChanges {
  protocol?: SsoProtocol;
  /** The SAML identity provider's metadata XML, saved in the same transaction. */
  samlMetadataXml?: string;
  issuer?: string | null;
  clientId?: string | null;
  /** Absent keeps the stored secret; null removes it. */
  clientSecret?: string | null;
  jitProvisioning?: boolean;
  mfaValues?: string[] | null;
  clientAuthentication?: OidcClientAuthentication;
  /** Replace the private_key_jwt signing key (the IdP must fetch the JWKS again). */
  rotateSigningKey?: boolean;
}

export async function getSsoSettings(db: Kysely<Database>, actor: Actor, redirectUri: string): Promise<SsoSettings> {
  if (!workspacePolicy.viewSettings(actor))
    throw forbidden('Only the workspace owner and admins can see the single sign-on settings.');
  const row = await db
    .selectFrom('workspaces')
    .select([
      'slug',
      'mode',
      'idp_issuer',
      'idp_client_id',
      'idp_client_secret_sealed',
      'idp_jit',
      'idp_mfa_values',
      'idp_client_auth',
      'idp_protocol',
      'idp_signing_next_from',
    ])
    .select((eb) =>
      eb
        .exists(eb.selectFrom('workspace_saml').select('workspace_id').whereRef('workspace_id', '=', 'workspaces.id'))
        .as('saml_configured'),
    )
    .where('id', '=', actor.workspaceId)
    .executeTakeFirstOrThrow();
  return {
    mode: row.mode,
    protocol: row.idp_protocol,
    samlConfigured: Boolean(row.saml_configured),
    issuer: row.idp_issuer,
    clientId: row.idp_client_id,
    clientSecretSet: row.idp_client_secret_sealed !== null,
    jitProvisioning: row.idp_jit,
    mfaValues: row.idp_mfa_values,
    redirectUri,
    clientAuthentication: row.idp_client_auth,
    jwksUrl:
      row.idp_client_auth === 'private_key_jwt'
        ? new URL(oidcJwksPath(row.slug), new URL(redirectUri).origin).href
        : null,
    signingKeySwitchAt:
      row.idp_client_auth === 'private_key_jwt' ? (pendingKeySwitch(row, now(actor))?.toISOString() ?? null) : null,
  };
}

/**
 * Saves the OIDC settings. In `idp` mode the issuer and client id cannot be emptied: members would be
 * left without any way to sign in. The event names what changed, never the secret itself.
 */
export async function updateSsoSettings(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  actor: Actor,
  changes: SsoSettingsChanges,
  context: RequestContext,
  redirectUri: string,
): Promise<SsoSettings> {
  if (!workspacePolicy.changeSettings(actor))
    throw forbidden('Only the workspace owner and admins can change the single sign-on settings.');
  if (changes.samlMetadataXml !== undefined) {
    // Its own event (workspace.saml_settings_changed); a metadata problem is a 422 on samlMetadataXml.
    await saveSamlMetadata(tx, actor, changes.samlMetadataXml, context, new URL(redirectUri), 'samlMetadataXml');
  }
  const before = await getSsoSettings(tx, actor, redirectUri);
  const details: Record<string, unknown> = {};
  const columns: {
    idp_protocol?: SsoProtocol;
    idp_issuer?: string | null;
    idp_client_id?: string | null;
    idp_jit?: boolean;
    idp_mfa_values?: string[] | null;
    idp_client_auth?: OidcClientAuthentication;
  } = {};
  if (changes.protocol !== undefined && changes.protocol !== before.protocol) {
    columns.idp_protocol = changes.protocol;
    details.protocol = { from: before.protocol, to: changes.protocol };
  }
  if (changes.issuer !== undefined && changes.issuer !== before.issuer) {
    columns.idp_issuer = changes.issuer;
    details.issuer = { from: before.issuer, to: changes.issuer };
  }
  if (changes.clientId !== undefined && changes.clientId !== before.clientId) {
    columns.idp_client_id = changes.clientId;
    details.clientId = { from: before.clientId, to: changes.clientId };
  }
  if (changes.jitProvisioning !== undefined && changes.jitProvisioning !== before.jitProvisioning) {
    columns.idp_jit = changes.jitProvisioning;
    details.jitProvisioning = { from: before.jitProvisioning, to: changes.jitProvisioning };
  }
  if (changes.mfaValues !== undefined && JSON.stringify(changes.mfaValues) !== JSON.stringify(before.mfaValues)) {
    columns.idp_mfa_values = changes.mfaValues;
    details.mfaValues = { from: before.mfaValues, to: changes.mfaValues };
  }
  if (changes.clientAuthentication !== undefined && changes.clientAuthentication !== before.clientAuthentication) {
    columns.idp_client_auth = changes.clientAuthentication;
    details.clientAuthentication = { from: before.clientAuthentication, to: changes.clientAuthentication };
  }
  if (before.mode === 'idp') {
    const after = {
      protocol: columns.idp_protocol ?? before.protocol,
      issuer: columns.idp_issuer !== undefined ? columns.idp_issuer : before.issuer,
      clientId: columns.idp_client_id !== undefined ? columns.idp_client_id : before.clientId,
      samlConfigured: before.samlConfigured,
    };
    const errors = missingForSignIn(after).map((missing) => ({
      path: missing.path,
      message:
        missing.path === 'issuer'
          ? 'Members sign in through it: keep an issuer.'
          : missing.path === 'clientId'
            ? 'Members sign in through it: keep a client id.'
            : 'Members would sign in through SAML: paste the identity provider’s metadata first.',
    }));
    if (errors.length > 0) {
      throw conflict(
        'sso-settings-in-use',
        'Members sign in through the identity provider. Switch the workspace to local sign-in before removing its settings.',
        errors,
      );
    }
  }
  if (Object.keys(columns).length > 0) {
    await tx.updateTable('workspaces').set(columns).where('id', '=', actor.workspaceId).execute();
  }
  if (changes.clientSecret !== undefined) {
    await setIdpClientSecret(tx, keyring, actor.workspaceId, changes.clientSecret);
    details.clientSecret = changes.clientSecret === null ? 'removed' : 'replaced';
  }
  if ((changes.clientAuthentication ?? before.clientAuthentication) === 'private_key_jwt') {
    // The key pair is made when private_key_jwt is chosen, so the JWKS URL works before the first sign-in.
    const key = await ensureSigningKey(tx, keyring, actor.workspaceId, changes.rotateSigningKey === true, now(actor));
    if (key.created) {
      details.signingKey = {
        kid: key.kid,
        ...(changes.rotateSigningKey ? { rotated: true } : {}),
        ...(key.usedFrom ? { usedFrom: key.usedFrom.toISOString() } : {}),
      };
    }
  }
  if (Object.keys(details).length === 0) return before;
  if (columns.idp_issuer !== undefined) clearDiscoveryCache();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.sso_settings_changed',
    targetType: 'workspace',
    targetId: actor.workspaceId,
    context,
    details,
  });
  return getSsoSettings(tx, actor, redirectUri);
}

/** What the chosen protocol still lacks before members can sign in through it. */
function missingForSignIn(settings: Pick<SsoSettings, 'protocol' | 'issuer' | 'clientId' | 'samlConfigured'>) {
  if (settings.protocol === 'saml') {
    return settings.samlConfigured
      ? []
      : [{ path: 'samlMetadataXml', message: 'Paste the identity provider’s SAML metadata first.' }];
  }
  return [
    ...(settings.issuer ? [] : [{ path: 'issuer', message: 'Enter the issuer URL first.' }]),
    ...(settings.clientId ? [] : [{ path: 'clientId', message: 'Enter the client id first.' }]),
  ];
}

/**
 * Switches how members sign in. In `idp` mode members sign in only through the IdP; guests keep their
 * Gatehouse passwords and the owner keeps the break-glass password sign-in (with MFA).
 */
export async function switchSignInMode(
  tx: Kysely<Database>,
  actor: Actor,
  mode: WorkspaceMode,
  context: RequestContext,
  redirectUri: string,
): Promise<SsoSettings> {
  if (!workspacePolicy.changeSettings(actor))
    throw forbidden('Only the workspace owner and admins can change how members sign in.');
  const before = await getSsoSettings(tx, actor, redirectUri);
  if (before.mode === mode) return before;
  const missing = mode === 'idp' ? missingForSignIn(before) : [];
  if (missing.length > 0) {
    throw conflict(
      'sso-settings-incomplete',
      before.protocol === 'saml'
        ? 'Paste and save your identity provider’s SAML metadata before members sign in through it.'
        : 'Save the issuer URL and client id of your identity provider before members sign in through it.',
      missing,
    );
  }
  await tx.updateTable('workspaces').set({ mode }).where('id', '=', actor.workspaceId).execute();
  await recordEvent(tx, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    action: 'workspace.sign_in_mode_changed',
    targetType: 'workspace',
    targetId: actor.workspaceId,
    context,
    details: { from: before.mode, to: mode },
  });
  return { ...before, mode };
}

export interface SsoConnectionTestInput {
  /** Absent: SAML when metadata is given, OIDC when an issuer is, else the workspace's protocol. */
  protocol?: SsoProtocol;
  issuer?: string;
  metadataXml?: string;
}

/**
 * **Test connection** (owner and admins) for what the admin typed, or else what is saved: OIDC discovery
 * and JWKS, or SAML metadata and its certificates' expiry.
 */
export async function testSingleSignOn(
  db: Kysely<Database>,
  actor: Actor,
  input: SsoConnectionTestInput,
  redirectUri: string,
  now: number,
): Promise<SsoConnectionTest | SamlMetadataTest> {
  if (!workspacePolicy.changeSettings(actor))
    throw forbidden('Only the workspace owner and admins can test the single sign-on connection.');
  const settings = await getSsoSettings(db, actor, redirectUri);
  const protocol = input.protocol ?? (input.metadataXml ? 'saml' : input.issuer ? 'oidc' : settings.protocol);
  if (protocol === 'saml') {
    const metadataXml = input.metadataXml || (await storedSamlMetadata(db, actor.workspaceId));
    if (!metadataXml) {
      throw invalid('sso-metadata-missing', 'Paste the identity provider’s SAML metadata to test.', [
        { path: 'metadataXml', message: 'Paste the identity provider’s SAML metadata to test.' },
      ]);
    }
    return testSamlMetadata(metadataXml, now);
  }
  const issuer = input.issuer || settings.issuer;
  if (!issuer) {
    throw invalid('sso-issuer-missing', 'Enter the issuer URL to test.', [
      { path: 'issuer', message: 'Enter the issuer URL to test.' },
    ]);
  }
  return testSsoConnection(issuer);
}

/** Seconds each request of Test connection may take. */
const TEST_TIMEOUT_MS = 5000;

export interface SsoConnectionTest {
  ok: boolean;
  /** One sentence for the admin: what was found, or what failed. */
  message: string;
  issuer?: string;
  keys?: number;
}

function failureInWords(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'it did not answer within 5 seconds';
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name could not be resolved';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return 'its discovery document names a different issuer';
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON')
    return 'its discovery document is not a valid OpenID Connect configuration';
  return 'its discovery document could not be loaded';
}

/**
 * Test connection: fetches the discovery document and the JWKS it names, without caching and without
 * following redirects elsewhere; only https (http for this machine) with a timeout, so the server is not
 * a tool for probing other hosts. Always answers in words, never throws.
 */
export async function testSsoConnection(issuer: string): Promise<SsoConnectionTest> {
  const problem = issuerUrlProblem(issuer);
  if (problem) return { ok: false, message: `The issuer URL ${problem}.` };
  const url = new URL(issuer);
  let metadata: client.ServerMetadata;
  try {
    const config = await client.discovery(url, 'gatehouse-connection-test', undefined, undefined, {
      timeout: TEST_TIMEOUT_MS / 1000,
      ...(isLoopbackHttp(url) ? { execute: [client.allowInsecureRequests] } : {}),
    });
    metadata = config.serverMetadata();
  } catch (error) {
    return { ok: false, message: `The identity provider could not be reached: ${failureInWords(error)}.` };
  }
  if (!metadata.jwks_uri) {
    return { ok: false, message: 'The discovery document was found but names no signing keys (jwks_uri).' };
  }
  const jwksProblem = issuerUrlProblem(metadata.jwks_uri.split('?')[0]!);
  if (jwksProblem) return { ok: false, message: `The signing keys' address (jwks_uri) ${jwksProblem}.` };
  try {
    const response = await fetch(metadata.jwks_uri, {
      redirect: 'error',
      signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      return { ok: false, message: `The signing keys could not be loaded: the server answered ${response.status}.` };
    }
    const body = (await response.json()) as { keys?: unknown };
    const keys = Array.isArray(body.keys) ? body.keys.length : 0;
    if (keys === 0) return { ok: false, message: 'The signing keys (JWKS) were loaded but hold no key.' };
    return {
      ok: true,
      issuer: metadata.issuer,
      keys,
      message: `Connected to ${metadata.issuer}: discovery document found, ${keys} signing ${keys === 1 ? 'key' : 'keys'}.`,
    };
  } catch (error) {
    const e = error as { name?: string };
    const reason =
      e?.name === 'TimeoutError' || e?.name === 'AbortError'
        ? 'it did not answer within 5 seconds'
        : e?.name === 'SyntaxError'
          ? 'the answer is not JSON'
          : 'the request failed';
    return { ok: false, message: `The signing keys could not be loaded: ${reason}.` };
  }
}
