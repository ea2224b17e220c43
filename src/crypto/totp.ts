import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA1, 6 digits and 30-second steps, as SPEC §5 asks.
 * Written here rather than taken from a package so that clock skew and replay protection stay explicit:
 * `verifyTotp` returns the step it accepted, the caller stores it, and no step up to it is accepted again.
 */

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET.charAt((buffer >>> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/** Case-insensitive; ignores white space and `=` padding. Leftover bits that do not fill a byte are dropped. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value === -1) throw new Error('Not valid base32: only the letters A–Z and the digits 2–7 are allowed');
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 0xff);
      buffer &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}

/** A new secret of 20 random bytes (the 160 bits RFC 4226 recommends), in base32. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** HOTP (RFC 4226 §5.3): HMAC-SHA1 over the 8-byte big-endian counter, then dynamic truncation. */
export function totpCode(secret: Buffer, counter: number, digits = 6): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('The counter must be a non-negative integer');
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new RangeError('A code has 6 to 8 digits');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac('sha1', secret).update(message).digest();
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step (counter) for a moment. */
export function totpStep(timeMs: number, period = 30): number {
  if (!Number.isInteger(period) || period <= 0) throw new RangeError('The period must be a positive integer');
  return Math.floor(timeMs / (period * 1000));
}

export function totpAt(secret: Buffer, timeMs: number, { period = 30, digits = 6 } = {}): string {
  return totpCode(secret, totpStep(timeMs, period), digits);
}

export interface VerifyTotpOptions {
  timeMs: number;
  /** The step stored after the last accepted code, or null when none has been accepted yet. */
  lastUsedStep: number | null;
  skewSteps?: number;
  period?: number;
}

export type VerifyTotpResult = { ok: true; step: number } | { ok: false; reason: 'format' | 'mismatch' | 'replayed' };

/**
 * Accepts a 6-digit code for the current step or up to `skewSteps` either side, and never for a step at
 * or before `lastUsedStep`, so each code (and any older one) works once only. Every candidate step is
 * compared, in constant time, whatever matched first. 'replayed' means the code was right but already
 * spent: show the user the same message as for 'mismatch'.
 */
export function verifyTotp(
  secret: Buffer,
  code: string,
  { timeMs, lastUsedStep, skewSteps = 1, period = 30 }: VerifyTotpOptions,
): VerifyTotpResult {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'format' };
  if (!Number.isInteger(skewSteps) || skewSteps < 0) throw new RangeError('skewSteps must be a non-negative integer');
  const given = Buffer.from(code, 'utf8');
  const current = totpStep(timeMs, period);
  let accepted: number | undefined;
  let replayed = false;
  for (let step = Math.max(0, current - skewSteps); step <= current + skewSteps; step++) {
    if (!timingSafeEqual(Buffer.from(totpCode(secret, step), 'utf8'), given)) continue;
    if (lastUsedStep !== null && step <= lastUsedStep) replayed = true;
    else accepted ??= step;
  }
  if (accepted !== undefined) return { ok: true, step: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'mismatch' };
}

/**
 * The key URI authenticator apps read from the QR code (Google's "Key Uri Format"). Apps split the label
 * on its colon, so neither the issuer nor the account name may contain one.
 */
export function otpauthUri({
  secret,
  accountName,
  issuer,
}: {
  secret: string;
  accountName: string;
  issuer: string;
}): string {
  if (issuer.includes(':') || accountName.includes(':')) {
    throw new Error('The issuer and the account name of a TOTP key URI cannot contain a colon');
  }
  const key = base32Encode(base32Decode(secret));
  if (key.length === 0) throw new Error('The TOTP secret is empty');
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = { secret: key, issuer, algorithm: 'SHA1', digits: '6', period: '30' };
  const query = Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** Google Authenticator refuses keys shorter than 16 base32 characters (80 bits); so do we. */
const MIN_SECRET_BYTES = 10;

/**
 * A TOTP secret typed or pasted by a user: a base32 key, or an `otpauth://totp/…` URI from a QR code.
 * Only what we can generate codes for is accepted (SHA1, 6 digits, 30 s); anything else is refused with
 * a message that says why.
 */
export function parseTotpSecretInput(text: string): Buffer {
  const input = text.trim();
  let encoded = input;
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new Error('The TOTP key URI is malformed');
    }
    if (url.protocol.toLowerCase() !== 'otpauth:') throw new Error('Only otpauth://totp/ key URIs are supported');
    const type = url.host.toLowerCase();
    if (type === 'hotp') throw new Error('Counter-based (HOTP) keys are not supported, only time-based (TOTP) ones');
    if (type !== 'totp') throw new Error('The key URI must start with otpauth://totp/');
    const algorithm = url.searchParams.get('algorithm');
    if (algorithm !== null && algorithm.toUpperCase() !== 'SHA1') {
      throw new Error(`Only SHA1 TOTP keys are supported, not ${algorithm}`);
    }
    const digits = url.searchParams.get('digits');
    if (digits !== null && digits !== '6') throw new Error(`Only 6-digit TOTP codes are supported, not ${digits}`);
    const period = url.searchParams.get('period');
    if (period !== null && period !== '30') throw new Error(`Only 30-second TOTP codes are supported, not ${period}`);
    const secret = url.searchParams.get('secret');
    if (secret === null || secret.trim() === '') throw new Error('The TOTP key URI has no secret');
    encoded = secret;
  }
  if (encoded === '') throw new Error('The TOTP secret is empty');
  const key = base32Decode(encoded);
  if (key.length < MIN_SECRET_BYTES) throw new Error('The TOTP secret is too short: at least 16 base32 characters');
  return key;
}
