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
 * How long a rotated key is published before Gatehouse signs with it: twice the JWKS's cache lifetime
 * (five minutes), so a provider that refreshes only when its copy ages has the new key by then.
 */
export const SIGNING_KEY_SWITCH_DELAY_MS = 10 * 60 * 1000;

type SigningKeyColumns = {
  idp_signing_key_sealed: string | null;
  idp_signing_public_jwk: string | null;
  idp_signing_next_key_sealed: string | null;
  idp_signing_next_public_jwk: string | null;
  idp_signing_next_from: Date | null;
};

const nextKeyActive = (row: SigningKeyColumns, now: number) =>
  row.idp_signing_next_key_sealed !== null &&
  row.idp_signing_next_from !== null &&
  new Date(row.idp_signing_next_from).getTime() <= now;

/**
 * Gives the workspace a signing key pair unless it has one. With `rotate` (Rotate key) the new pair is
 * published beside the current one and used from SIGNING_KEY_SWITCH_DELAY_MS later; a next key whose time
 * has come is promoted first. Private keys are sealed with the workspace data key; only the public halves
 * are stored in clear.
 */
export async function ensureSigningKey(
  tx: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspaceId: string,
  rotate: boolean,
  now: number,
): Promise<{ created: boolean; kid: string; usedFrom?: Date }> {
  const row = await tx
    .selectFrom('workspaces')
    .select([
      'idp_signing_key_sealed',
      'idp_signing_public_jwk',
      'idp_signing_next_key_sealed',
      'idp_signing_next_public_jwk',
      'idp_signing_next_from',
    ])
    .where('id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (row.idp_signing_public_jwk && !rotate) {
    return { created: false, kid: (JSON.parse(row.idp_signing_public_jwk) as PublicSigningJwk).kid };
  }
  const { privateJwk, publicJwk } = generateSigningKey();
  const sealed = await keyring.seal(tx, workspaceId, JSON.stringify(privateJwk), signingKeyAssociatedData(workspaceId));
  if (!row.idp_signing_public_jwk) {
    await tx
      .updateTable('workspaces')
      .set({ idp_signing_key_sealed: sealed, idp_signing_public_jwk: JSON.stringify(publicJwk) })
      .where('id', '=', workspaceId)
      .execute();
    return { created: true, kid: publicJwk.kid };
  }
  const usedFrom = new Date(now + SIGNING_KEY_SWITCH_DELAY_MS);
  await tx
    .updateTable('workspaces')
    .set({
      // The key in use stays current; a next key already in use becomes current (a pending one is replaced).
      ...(nextKeyActive(row, now)
        ? {
            idp_signing_key_sealed: row.idp_signing_next_key_sealed,
            idp_signing_public_jwk: row.idp_signing_next_public_jwk,
          }
        : {}),
      idp_signing_next_key_sealed: sealed,
      idp_signing_next_public_jwk: JSON.stringify(publicJwk),
      idp_signing_next_from: usedFrom,
    })
    .where('id', '=', workspaceId)
    .execute();
  return { created: true, kid: publicJwk.kid, usedFrom };
}

/** When a rotated key starts being used, while that is still to come; null otherwise. */
export function pendingKeySwitch(row: Pick<SigningKeyColumns, 'idp_signing_next_from'>, now: number): Date | null {
  if (!row.idp_signing_next_from) return null;
  const from = new Date(row.idp_signing_next_from);
  return from.getTime() > now ? from : null;
}

/**
 * The workspace's JWKS by slug: its public keys only (no `d`) — the one in use and, after Rotate key, the
 * next — or no keys at all; undefined: no such workspace.
 */
export async function publicJwks(
  db: Kysely<Database>,
  slug: string,
): Promise<{ keys: PublicSigningJwk[] } | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .select(['idp_signing_public_jwk', 'idp_signing_next_public_jwk'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!row) return undefined;
  const keys = [row.idp_signing_public_jwk, row.idp_signing_next_public_jwk]
    .filter((jwk): jwk is string => jwk !== null)
    .map((jwk) => {
      const { kty, crv, x, y, kid, alg, use } = JSON.parse(jwk) as PublicSigningJwk;
      return { kty, crv, x, y, kid, alg, use };
    });
  return { keys };
}

/** How openid-client authenticates this workspace at the token endpoint. */
export async function clientAuthentication(
  db: Kysely<Database>,
  keyring: WorkspaceKeyring,
  workspace: Pick<Workspace, 'id' | 'idp_client_auth'> & SigningKeyColumns,
  secret: string | undefined,
  now: number,
): Promise<client.ClientAuth> {
  const method: OidcClientAuthentication = workspace.idp_client_auth ?? 'client_secret_basic';
  if (method === 'private_key_jwt') {
    const sealed = nextKeyActive(workspace, now)
      ? workspace.idp_signing_next_key_sealed
      : workspace.idp_signing_key_sealed;
    if (!sealed) return client.None();
    const jwk = JSON.parse(
      await keyring.open(db, workspace.id, sealed, signingKeyAssociatedData(workspace.id)),
    ) as JsonWebKey & { kid: string };
    const key = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return client.PrivateKeyJwt({ key, kid: jwk.kid });
  }
  if (!secret) return client.None();
  return method === 'client_secret_post' ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret);
}
