import { useQuery } from '@tanstack/react-query';
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { ApiError, request, type Me } from '../api';

/** 'sign-in' is the verification page after the password; 'identity' is **Confirm your identity**. */
export type PasskeyPurpose = 'sign-in' | 'identity';

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface PasskeyAdded {
  passkey: Passkey;
  /** The ten recovery codes, shown once, when this passkey turned MFA on; null otherwise. */
  recoveryCodes: string[] | null;
}

export const passkeysQueryKey = ['mfa', 'passkeys'] as const;

type CreationOptionsJSON = Parameters<typeof startRegistration>[0]['optionsJSON'];
type RequestOptionsJSON = Parameters<typeof startAuthentication>[0]['optionsJSON'];

/**
 * What the browser or authenticator said, in words for the person at the keyboard. Problems from the
 * server (ApiError) pass through unchanged: they already carry a readable detail.
 */
function explainBrowserError(error: unknown): unknown {
  if (error instanceof ApiError || !(error instanceof Error)) return error;
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return new Error('This passkey or security key is already registered for your account.');
  }
  if (error.name === 'NotAllowedError' || error.name === 'AbortError') {
    return new Error('The passkey request was cancelled or timed out. Try again when you are ready.');
  }
  if (error.name === 'SecurityError' || (error instanceof WebAuthnError && error.code === 'ERROR_INVALID_DOMAIN')) {
    return new Error('This browser refused passkeys for this address. Open Gatehouse at its usual address.');
  }
  if (error.message.includes('does not support WebAuthn')) {
    return new Error('This browser does not support passkeys or security keys.');
  }
  return error;
}

/**
 * Proves the second factor with a passkey or security key: asks the server for a challenge, lets the
 * browser talk to the authenticator, and sends the signed answer back. Resolves to the updated session.
 */
export async function verifyWithPasskey(purpose: PasskeyPurpose): Promise<Me> {
  try {
    const optionsJSON = await request<RequestOptionsJSON>('POST', '/mfa/passkeys/authentication-options', {
      purpose,
    });
    const response = await startAuthentication({ optionsJSON });
    return await request<Me>('POST', '/mfa/passkeys/verify', { purpose, response });
  } catch (error) {
    throw explainBrowserError(error);
  }
}

/**
 * **Add a passkey**: asks the server for options, lets the browser create the credential on the
 * authenticator, and stores it under `name`. When the user already has MFA the server first wants a
 * fresh identity confirmation (run this through useIdentityConfirmation()).
 */
export async function registerPasskey(name: string): Promise<PasskeyAdded> {
  try {
    const optionsJSON = await request<CreationOptionsJSON>('POST', '/mfa/passkeys/registration-options');
    const response = await startRegistration({ optionsJSON });
    return await request<PasskeyAdded>('POST', '/mfa/passkeys', { name, response });
  } catch (error) {
    throw explainBrowserError(error);
  }
}

export const passkeysApi = {
  list: () => request<{ passkeys: Passkey[] }>('GET', '/mfa/passkeys'),
  rename: (id: string, name: string) => request<Passkey>('PATCH', `/mfa/passkeys/${encodeURIComponent(id)}`, { name }),
  remove: (id: string) => request<void>('DELETE', `/mfa/passkeys/${encodeURIComponent(id)}`),
};

export function usePasskeys() {
  return useQuery({ queryKey: passkeysQueryKey, queryFn: passkeysApi.list });
}
