import { AppError, conflict } from '../../domain/errors.js';

/** The problems the MFA use cases answer with. */

export const totpCodeInvalid = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Wrong authentication code',
    "That code didn't work. Enter the newest code from your authenticator app (each code works once). If it still fails, your phone's clock may be off: set it to update the time automatically.",
    [{ path: 'code', message: "That code didn't work. Check that your phone's clock is set automatically." }],
  );

export const totpCodeMalformed = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Wrong authentication code',
    'Enter the 6-digit code from your authenticator app.',
    [{ path: 'code', message: 'Enter the 6 digits your authenticator app shows.' }],
  );

export const recoveryCodeInvalid = () =>
  new AppError(
    'recovery-code-invalid',
    422,
    'Wrong recovery code',
    'That recovery code is not one of yours, or it was already used. Each recovery code works once.',
    [{ path: 'recoveryCode', message: 'Not a valid, unused recovery code.' }],
  );

export const totpNotEnabled = () =>
  new AppError(
    'totp-not-enabled',
    409,
    'No authenticator app',
    'You have no authenticator app set up. Use a passkey or a recovery code instead.',
    [{ path: 'code', message: 'You have no authenticator app set up.' }],
  );

export const noTotpEnrolment = () =>
  conflict(
    'totp-enrolment-not-started',
    'There is no authenticator app waiting to be confirmed. Start again with Turn on MFA.',
  );

/** Problems a wrong second factor produces: each counts as a failed attempt. */
export function isWrongSecondFactor(error: unknown): boolean {
  return error instanceof AppError && (error.type === 'totp-code-invalid' || error.type === 'recovery-code-invalid');
}

export const totpCodeFromSetAsideKey = () =>
  new AppError(
    'totp-code-invalid',
    422,
    'Code from an earlier key',
    'That code comes from the key you set aside with Start over. Delete that entry from your authenticator app, scan the QR code shown now, and enter the new entry’s code.',
    [
      {
        path: 'code',
        message: 'That code is from the earlier key you set aside. Use the entry of the QR code shown now.',
      },
    ],
  );
