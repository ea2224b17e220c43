import type { DeviceKind, DeviceStatus } from './vocabulary.js';

/** SPEC §6: at most this many approved or pending devices per user. */
export const MAX_LIVE_DEVICES = 20;
/** An emailed device code is six digits, valid this long, for at most this many tries. */
export const DEVICE_CODE_DIGITS = 6;
export const DEVICE_CODE_TTL_MS = 5 * 60 * 1000;
export const DEVICE_CODE_MAX_TRIES = 5;
/** A new code is mailed at most this often for one device, so nobody can flood a mailbox with codes. */
export const DEVICE_CODE_RESEND_INTERVAL_MS = 30 * 1000;
/** Device names, like other names people type. */
export const DEVICE_NAME_MAX_LENGTH = 100;

/** The statuses that hold one of the user's 20 places (SPEC §6: "approved or pending"). */
export const LIVE_DEVICE_STATUSES = ['pending_verification', 'pending_approval', 'approved'] as const;
export const PENDING_DEVICE_STATUSES = ['pending_verification', 'pending_approval'] as const;

export function isLiveStatus(status: DeviceStatus): boolean {
  return (LIVE_DEVICE_STATUSES as readonly string[]).includes(status);
}

export function isPendingStatus(status: DeviceStatus): boolean {
  return (PENDING_DEVICE_STATUSES as readonly string[]).includes(status);
}

/**
 * How a new device starts: a user who already has a trusted device approves it there; a user without
 * one verifies it with a code mailed to them.
 */
export function initialDeviceStatus(hasTrustedDevice: boolean): 'pending_approval' | 'pending_verification' {
  return hasTrustedDevice ? 'pending_approval' : 'pending_verification';
}

/** The browser and operating system a User-Agent string names, in the words people use for them. */
export function describeUserAgent(userAgent: string | null | undefined): { browser: string; os: string } {
  const ua = userAgent ?? '';
  return { browser: browserOf(ua), os: osOf(ua) };
}

function browserOf(ua: string): string {
  // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
  if (/\bEdg(?:e|A|iOS)?\//.test(ua)) return 'Edge';
  if (/\b(?:OPR|Opera)\//.test(ua)) return 'Opera';
  if (/\bSamsungBrowser\//.test(ua)) return 'Samsung Internet';
  if (/\b(?:Firefox|FxiOS)\//.test(ua)) return 'Firefox';
  if (/\b(?:HeadlessChrome|Chrome|CriOS)\//.test(ua)) return 'Chrome';
  if (/\bChromium\//.test(ua)) return 'Chromium';
  if (/\bVersion\/[\d.]+.*\bSafari\//.test(ua)) return 'Safari';
  return 'Browser';
}

function osOf(ua: string): string {
  if (/\b(?:iPhone|iPad|iPod)\b/.test(ua)) return 'iOS';
  if (/\bAndroid\b/.test(ua)) return 'Android';
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  if (/\bWindows\b/.test(ua)) return 'Windows';
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return 'macOS';
  if (/\bLinux\b|\bX11\b/.test(ua)) return 'Linux';
  return 'Unknown OS';
}

/**
 * The name suggested for a new device: `{username} {browser} - {OS}` (SPEC §6). A username that is an
 * email address contributes its local part ("ada", not "ada@acme.test"), which reads as the SPEC's
 * example does. When the user already has a live device of that name, a number is added: "… (2)".
 */
export function suggestDeviceName(
  username: string,
  userAgent: string | null | undefined,
  takenNames: readonly string[],
  kind: DeviceKind = 'browser',
): string {
  const at = username.lastIndexOf('@');
  const person = (at > 0 ? username.slice(0, at) : username).trim() || username;
  const { browser, os } = describeUserAgent(userAgent);
  const client = kind === 'extension' ? `${browser} extension` : kind === 'cli' ? 'command line' : browser;
  const suffix = ` ${client} - ${os}`;
  const taken = new Set(takenNames.map((name) => name.toLowerCase()));
  for (let n = 1; ; n++) {
    const counter = n === 1 ? '' : ` (${n})`;
    const room = DEVICE_NAME_MAX_LENGTH - suffix.length - counter.length;
    const name = `${person.slice(0, Math.max(1, room))}${suffix}${counter}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/** Whether a status change is allowed by an approving device (Approve / Deny on My trusted devices). */
export function canBeDecided(status: DeviceStatus): boolean {
  return isPendingStatus(status);
}

/** When an approval granted now runs out, from the workspace's approval lifetime in days. */
export function approvalExpiry(now: number, approvalDays: number): Date {
  return new Date(now + approvalDays * 24 * 60 * 60 * 1000);
}
