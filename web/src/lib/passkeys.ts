import { useQuery } from '@tanstack/react-query';
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { ApiError, call, client, type Me, type RequestBody, type ResponseBody } from '../api';

/** 'sign-in' is the verification page after the password; 'identity' is **Confirm your identity**. */
export type PasskeyPurpose = 'sign-in' | 'identity';

export type Passkey = ResponseBody<'/api/v1/mfa/passkeys', 'get'>['passkeys'][number];

/** The new passkey, and the ten recovery codes (shown once) when it turned MFA on; null otherwise. */
export type PasskeyAdded = ResponseBody<'/api/v1/mfa/passkeys', 'post'>;

export const passkeysQueryKey = ['mfa', 'passkeys'] as const;

type CreationOptionsJSON = Parameters<typeof startRegistration>[0]['optionsJSON'];
type RequestOptionsJSON = Parameters<typeof startAuthentication>[0]['optionsJSON'];

// The server documents the credential JSON as an open object (WebAuthn's JSON has extension fields);
// the browser library's interfaces for it lack that index signature, hence the casts below.
type VerifyBody = RequestBody<'/api/v1/mfa/passkeys/verify', 'post'>;
type RegisterBody = RequestBody<'/api/v1/mfa/passkeys', 'post'>;

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
    // The options are WebAuthn's own JSON, documented loosely by the server; the browser library checks them.
    const optionsJSON = (await call(() =>
      client.POST('/api/v1/mfa/passkeys/authentication-options', { body: { purpose } }),
    )) as RequestOptionsJSON;
    const response = await startAuthentication({ optionsJSON });
    return await call(() =>
      client.POST('/api/v1/mfa/passkeys/verify', { body: { purpose, response: response as VerifyBody['response'] } }),
    );
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
    const optionsJSON = (await call(() =>
      client.POST('/api/v1/mfa/passkeys/registration-options'),
    )) as unknown as CreationOptionsJSON;
    const response = await startRegistration({ optionsJSON });
    return await call(() =>
      client.POST('/api/v1/mfa/passkeys', { body: { name, response: response as RegisterBody['response'] } }),
    );
  } catch (error) {
    throw explainBrowserError(error);
  }
}

export const passkeysApi = {
  list: () => call(() => client.GET('/api/v1/mfa/passkeys')),
  rename: (id: string, name: string) =>
    call(() =>
      client.PATCH('/api/v1/mfa/passkeys/{passkeyId}', { params: { path: { passkeyId: id } }, body: { name } }),
    ),
  remove: (id: string) =>
    call(() => client.DELETE('/api/v1/mfa/passkeys/{passkeyId}', { params: { path: { passkeyId: id } } })),
};

export function usePasskeys() {
  return useQuery({ queryKey: passkeysQueryKey, queryFn: passkeysApi.list });
}
