import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { TestClient } from './client.js';
import { testClock } from './clock.js';

/**
 * The test's own authenticator app: RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA1, written from the
 * RFCs and independent of src/crypto/totp.ts, so a mistake there cannot hide behind the same mistake here.
 * It is checked against RFC 6238 Appendix B in test/integration/mfa.test.ts.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 to bytes; spaces (the key is shown in groups) and padding are ignored. */
export function decodeBase32(text: string): Buffer {
  const bits = [...text.replace(/[\s=]/g, '').toUpperCase()]
    .map((char) => {
      const value = BASE32.indexOf(char);
      if (value < 0) throw new Error(`not base32: ${char}`);
      return value.toString(2).padStart(5, '0');
    })
    .join('');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter % 2 ** 32, 4);
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[19]! & 0xf;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238: T = floor((unix time − T0) / X) with T0 = 0 and X = 30 seconds. */
export function totpStepAt(timeMs: number): number {
  return Math.floor(timeMs / 1000 / 30);
}

export function totp(key: Buffer, timeMs: number, digits = 6): string {
  return hotp(key, totpStepAt(timeMs), digits);
}

/** The last step used per secret, so each helper call gets a code the server has not seen yet. */
const lastStepUsed = new Map<string, number>();

/**
 * A code the server will accept now, without waiting where it can: the server accepts one step of skew
 * either side and each step once, so a new secret has three usable steps (previous, current, next) and
 * each further call takes the next unused one, moving the test clock on to the next step when none is left.
 */
export async function freshCode(secret: string): Promise<string> {
  for (;;) {
    const now = testClock.now();
    const current = totpStepAt(now);
    // The previous step only while the server, a moment later, surely still counts the same current step.
    const msToNextStep = (current + 1) * 30_000 - now;
    const earliest = msToNextStep > 3_000 ? current - 1 : current;
    const last = lastStepUsed.get(secret) ?? -1;
    const step = Math.max(earliest, last + 1);
    if (step <= current + 1) {
      lastStepUsed.set(secret, step);
      return hotp(decodeBase32(secret), step);
    }
    // Every code is used up until the next step: the servers' clock moves on to it instead of waiting.
    testClock.advance(msToNextStep + 50);
  }
}

/** Marks a code's step as used (a test that typed a code some other way, e.g. in a browser). */
export function markStepUsed(secret: string, step: number): void {
  lastStepUsed.set(secret, Math.max(step, lastStepUsed.get(secret) ?? -1));
}

export interface TurnedOnMfa {
  /** The key as base32, without spaces. */
  secret: string;
  recoveryCodes: string[];
}

/** Turn on MFA through the API as the signed-in client: the key from setup, the first code, confirmed. */
export async function turnOnMfa(client: TestClient): Promise<TurnedOnMfa> {
  const setup = await client.post('/api/v1/mfa/totp/setup');
  expect(setup.statusCode, setup.body).toBe(200);
  const secret = (setup.json().key as string).replace(/\s/g, '');
  const confirmed = await client.post('/api/v1/mfa/totp/confirm', { code: await freshCode(secret) });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return { secret, recoveryCodes: confirmed.json().recoveryCodes as string[] };
}

/** The verification page after the password, with a fresh code. */
export async function passSecondFactor(client: TestClient, secret: string): Promise<void> {
  const response = await client.post('/api/v1/auth/second-factor', { code: await freshCode(secret) });
  expect(response.statusCode, response.body).toBe(200);
}

/** **Confirm your identity** with a fresh code: sensitive actions are allowed for 5 minutes. */
export async function confirmIdentity(client: TestClient, secret: string): Promise<void> {
  const response = await client.post('/api/v1/mfa/confirm-identity', { code: await freshCode(secret) });
  expect(response.statusCode, response.body).toBe(200);
}
