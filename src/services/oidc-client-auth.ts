import { createHash, generateKeyPairSync, webcrypto, type JsonWebKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import type { Database, OidcClientAuthentication, Workspace } from '../db/schema.js';
import type { WorkspaceKeyring } from './keyring.js';

export const OIDC_CLIENT_AUTHENTICATIONS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** The path of a workspace's public signing keys, which the admin registers at the IdP. */
export const oidcJwksPath = (slug: string) => `/api/v1/oidc/${encodeURIComponent(slug)}/jwks`;

const signingKeyAssociatedData = (workspaceId: string) => `workspace:${workspaceId}:idp_signing_key`;

export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** RFC 7638 thumbprint: a key id that names the key itself, so a new key always gets a new id. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A fresh ES256 key pair: the private JWK (to seal) and the public JWK (to publish). */
export function generateSigningKey(): { privateJwk: JsonWebKey; publicJwk: PublicSigningJwk } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const kid = thumbprint(privateJwk);
  return {
    privateJwk: { ...privateJwk, kid },
    publicJwk: { kty: 'EC', crv: 'P-256', x: privateJwk.x!, y: privateJwk.y!, kid, alg: 'ES256', use: 'sig' },
  };
}

/**
 * Gives the workspace a signing key pair unless it has one (or always, with `replace`: Rotate key). The
 * private key is sealed with the workspace data key; only the public half is stored in clear.
 */
export async function ensureSigningKey(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  replace = false,
): Promise<{ created: boolean; kid: string }> {
  const row = await tx
    .selectFrom('workspaces')
    .select(['idp_signing_public_jwk'])
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  if (row.idp_signing_public_jwk && !replace) {
    return { created: false, kid: (JSON.parse(row.idp_signing_public_jwk) as PublicSigningJwk).kid };
  }
  const { privateJwk, publicJwk } = generateSigningKey();
  const sealed = await keyring.seal(tx, workspaceId, JSON.stringify(privateJwk), signingKeyAssociatedData(workspaceId));
  await tx
    .updateTable('workspaces')
    .set({ idp_signing_key_sealed: sealed, idp_signing_public_jwk: JSON.stringify(publicJwk) })
    .where('id', '=', workspaceId)
    .execute();
  return { created: true, kid: publicJwk.kid };
}

/** The workspace's JWKS by slug: its public key only (no `d`), or no keys at all; undefined: no such workspace. */
export async function publicJwks(
  db: Kysely<Database>,
  slug: string,
): Promise<{ keys: PublicSigningJwk[] } | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .select(['idp_signing_public_jwk'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!row.idp_signing_public_jwk) return { keys: [] };
  const { kty, crv, x, y, kid, alg, use } = JSON.parse(row.idp_signing_public_jwk) as PublicSigningJwk;
  return { keys: [{ kty, crv, x, y, kid, alg, use }] };
}

/** How openid-client authenticates this workspace at the token endpoint. */
export async function clientAuthentication(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspace: Pick<Workspace, 'id' | 'idp_client_auth' | 'idp_signing_key_sealed'>,
  secret: string | undefined,
): Promise<client.ClientAuth> {
  const method: OidcClientAuthentication = workspace.idp_client_auth ?? 'client_secret_basic';
  if (method === 'private_key_jwt') {
    if (!workspace.idp_signing_key_sealed) return client.None();
    const jwk = JSON.parse(
      await keyring.open(db, workspace.id, workspace.idp_signing_key_sealed, signingKeyAssociatedData(workspace.id)),
    ) as JsonWebKey & { kid: string };
    const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return client.PrivateKeyJwt({ key, kid: jwk.kid });
  }
  if (!secret) return client.None();
  return method === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}
