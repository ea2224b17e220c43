import { AppError, conflict, forbidden } from '../../domain/errors.js';
import { DEVICE_CODE_MAX_TRIES, DEVICE_CODE_RESEND_INTERVAL_MS, MAX_LIVE_DEVICES } from '../../domain/devices.js';

/** The problems the device use cases answer with. */

export const deviceLimitReached = () =>
  new AppError(
    'device-limit-reached',
    409,
    'Too many devices',
    `You already have ${MAX_LIVE_DEVICES} trusted or pending devices. Remove one on My trusted devices first.`,
  );

export const deviceNameTaken = (name: string) =>
  conflict('device-name-taken', `You already have a device named "${name}". Choose another name.`, [
    { path: 'name', message: 'You already have a device with this name.' },
  ]);

export const deviceAlreadyRegistered = (name: string) =>
  conflict(
    'device-already-registered',
    `This client is already set up as "${name}". Remove it on My trusted devices to set it up again.`,
  );

export const noCurrentDevice = () =>
  new AppError(
    'device-not-registered',
    409,
    'No device set up',
    'This client is not set up as a device yet. Set up a trusted session first.',
  );

export const codeNotSent = () =>
  new AppError(
    'device-code-not-sent',
    409,
    'No code sent',
    "No code was sent for this device. Choose I don't have access to my trusted device to get one by email.",
  );

export const codeExpired = () =>
  new AppError('device-code-expired', 410, 'Code expired', 'This code has expired. Send a new code and try again.');

export const codeExhausted = () =>
  new AppError(
    'device-code-exhausted',
    429,
    'Too many wrong codes',
    `This code was tried ${DEVICE_CODE_MAX_TRIES} times and no longer works. Send a new code.`,
  );

export const wrongDeviceCode = (triesLeft: number) =>
  new AppError(
    'device-code-wrong',
    422,
    'Wrong code',
    triesLeft > 0
      ? `That code is not right. ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.`
      : `That code is not right, and this code no longer works. Send a new code.`,
    [{ path: 'code', message: 'That code is not right.' }],
  );

export const codeRecentlySent = (waitMs: number) => {
  const error = new AppError(
    'device-code-recently-sent',
    429,
    'Code just sent',
    `A code was sent less than ${DEVICE_CODE_RESEND_INTERVAL_MS / 1000} seconds ago. Check your email, or try again shortly.`,
  );
  error.retryAfterMs = waitMs;
  return error;
};

export const notPending = () => conflict('device-not-pending', 'This device is not waiting for approval any more.');

export const othersDevicesForbidden = () =>
  forbidden(
    "Only the workspace owner and admins, and a guest's host admins, can see or remove someone else's devices.",
  );

export const alreadyRemoved = () => conflict('device-already-removed', 'This device was already removed.');

export const trustedSessionNeeded = () =>
  new AppError(
    'trusted-session-required',
    403,
    'Your current session is not secure',
    'Approve or deny a device from one of your own trusted devices.',
  );
