import { startAuthentication } from '@simplewebauthn/browser';
import { request, type Me } from '../api';

/** 'sign-in' is the verification page after the password; 'identity' is **Confirm your identity**. */
export type PasskeyPurpose = 'sign-in' | 'identity';

/**
 * Proves the second factor with a passkey or security key: asks the server for a challenge, lets the
 * browser talk to the authenticator, and sends the signed answer back. Resolves to the updated session.
 */
export async function verifyWithPasskey(purpose: PasskeyPurpose): Promise<Me> {
  const optionsJSON = await request<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
    'POST',
    '/mfa/passkeys/authentication-options',
    { purpose },
  );
  const response = await startAuthentication({ optionsJSON });
  return request<Me>('POST', '/mfa/passkeys/verify', { purpose, response });
}
