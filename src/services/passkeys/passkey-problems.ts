import { AppError, conflict } from '../../domain/errors.js';

/** The problems the passkey use cases answer with. */

export const passkeyChallengeExpired = () =>
  new AppError(
    'passkey-challenge-expired',
    400,
    'Passkey request expired',
    'No passkey request is waiting for this session, or it has expired (they last 5 minutes and can be used once). Start again.',
  );

export const passkeyNotVerified = () =>
  new AppError(
    'passkey-not-verified',
    400,
    'Passkey not accepted',
    'The passkey or security key answer could not be verified. Try again, or use another passkey.',
  );

export const noPasskeys = () =>
  new AppError(
    'no-passkeys',
    409,
    'No passkeys',
    'You have no passkeys or security keys. Use your authentication code or a recovery code instead.',
  );

export const passkeyNameTaken = () =>
  conflict('passkey-name-taken', 'You already have a passkey with this name. Choose another name.', [
    { path: 'name', message: 'You already have a passkey with this name.' },
  ]);

export const passkeyAlreadyRegistered = () =>
  conflict(
    'passkey-already-registered',
    'This passkey or security key is already registered. Use another one, or remove the old registration first.',
  );
