import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software FIDO2 authenticator and client, written from the WebAuthn Level 3 spec (§6.1 authenticator
 * data, §6.5 attestation objects, §5.8.1 client data) with node:crypto: ES256 (P-256, COSE alg -7),
 * "none" attestation. It answers the server's JSON options exactly as a browser would hand the result of
 * navigator.credentials.create() / get() to @simplewebauthn/browser, so integration tests exercise the
 * server's real verification without a browser. Overrides let a test play a phishing page (another
 * origin), a replay (an old challenge) or a cloned key (a stale signature counter).
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const head = Buffer.alloc(3);
    head[0] = (major << 5) | 25;
    head.writeUInt16BE(length, 1);
    return head;
  }
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

/** RFC 8949 encoding of the few types COSE keys and attestation objects use. */
export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === 'number') {
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  const parts = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
  return Buffer.concat(parts);
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

export interface StoredCredential {
  id: Buffer;
  privateKey: KeyObject;
  /** The COSE_Key (EC2, P-256, ES256) as the authenticator reports it. */
  cosePublicKey: Buffer;
  rpId: string;
  userHandle: string;
  signCount: number;
}

export interface CeremonyOverrides {
  /** The origin the "browser" reports in clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** The RP ID the authenticator hashes into authenticatorData (default: the options' RP ID). */
  rpId?: string;
  /** The challenge to sign instead of the one in the options. */
  challenge?: string;
  /** The signature counter to report instead of the next one. */
  signCount?: number;
  /** Omit the user-present flag. */
  withoutUserPresence?: boolean;
  /** Sign with (or, registering, re-register) this credential even if the options do not allow it. */
  credential?: StoredCredential;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: Array<{ id: string }>;
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: Array<{ id: string }>;
}

function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(signCount >>> 0);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    /** The page's origin, as a browser would report it. */
    readonly origin: string,
  ) {}

  private newCredential(rpId: string, userHandle: string): StoredCredential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cosePublicKey = encodeCbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    return { id: randomBytes(32), privateKey, cosePublicKey, rpId, userHandle, signCount: 0 };
  }

  /** navigator.credentials.create(): a new ES256 credential, answered in WebAuthn's JSON form. */
  register(options: CreationOptions, overrides: CeremonyOverrides = {}) {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => excluded.has(b64url(c.id)))) {
      throw new Error('InvalidStateError: this authenticator already holds an excluded credential');
    }
    const credential = overrides.credential ?? this.newCredential(rpId, options.user.id);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, credential.id, credential.cosePublicKey]);
    const flags =
      (overrides.withoutUserPresence ? 0 : FLAG_USER_PRESENT) | FLAG_USER_VERIFIED | FLAG_ATTESTED_CREDENTIAL;
    const authData = authenticatorData(rpId, flags, overrides.signCount ?? 0, attested);
    const attestationObject = encodeCbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    if (!overrides.credential) this.credentials.push(credential);
    const id = b64url(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(
          clientData('webauthn.create', overrides.challenge ?? options.challenge, overrides.origin ?? this.origin),
        ),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  /** navigator.credentials.get(): an assertion by the first allowed credential (or the one given). */
  authenticate(options: RequestOptions, overrides: CeremonyOverrides = {}) {
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential =
      overrides.credential ??
      this.credentials.find((c) => allowed.size === 0 || allowed.has(b64url(c.id))) ??
      (() => {
        throw new Error('NotAllowedError: no allowed credential on this authenticator');
      })();
    const rpId = overrides.rpId ?? options.rpId ?? credential.rpId;
    if (overrides.signCount === undefined) credential.signCount += 1;
    const signCount = overrides.signCount ?? credential.signCount;
    const flags = (overrides.withoutUserPresence ? 0 : FLAG_USER_PRESENT) | FLAG_USER_VERIFIED;
    const authData = authenticatorData(rpId, flags, signCount);
    const clientDataJSON = clientData(
      'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    );
    // ES256 signs authenticatorData || SHA-256(clientDataJSON); node:crypto gives the DER form WebAuthn uses.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    const id = b64url(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }
}
