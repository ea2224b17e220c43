import { describe, expect, it } from 'vitest';
import {
  approvalExpiry,
  canBeDecided,
  describeUserAgent,
  DEVICE_NAME_MAX_LENGTH,
  initialDeviceStatus,
  isLiveStatus,
  suggestDeviceName,
} from './devices.js';

const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  headlessChromeLinux:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  operaWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0',
  chromeOs:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
};

describe('describeUserAgent', () => {
  it.each([
    [UA.chromeLinux, 'Chrome', 'Linux'],
    [UA.headlessChromeLinux, 'Chrome', 'Linux'],
    [UA.edgeWindows, 'Edge', 'Windows'],
    [UA.firefoxMac, 'Firefox', 'macOS'],
    [UA.safariMac, 'Safari', 'macOS'],
    [UA.safariIphone, 'Safari', 'iOS'],
    [UA.chromeAndroid, 'Chrome', 'Android'],
    [UA.operaWindows, 'Opera', 'Windows'],
    [UA.chromeOs, 'Chrome', 'ChromeOS'],
    ['gatehouse-cli/1.0', 'Browser', 'Unknown OS'],
    [null, 'Browser', 'Unknown OS'],
  ])('%s → %s on %s', (ua, browser, os) => {
    expect(describeUserAgent(ua)).toEqual({ browser, os });
  });
});

describe('suggestDeviceName', () => {
  it('reads {username} {browser} - {OS}, with the local part of an email username', () => {
    expect(suggestDeviceName('ada@acme.test', UA.chromeLinux, [])).toBe('ada Chrome - Linux');
    expect(suggestDeviceName('ada', UA.firefoxMac, [])).toBe('ada Firefox - macOS');
  });

  it('adds a number when the name is taken by a live device, ignoring case', () => {
    expect(suggestDeviceName('ada@acme.test', UA.chromeLinux, ['ADA chrome - linux'])).toBe('ada Chrome - Linux (2)');
    expect(suggestDeviceName('ada@acme.test', UA.chromeLinux, ['ada Chrome - Linux', 'ada Chrome - Linux (2)'])).toBe(
      'ada Chrome - Linux (3)',
    );
  });

  it('never exceeds the name length limit', () => {
    const name = suggestDeviceName(`${'x'.repeat(300)}@acme.test`, UA.chromeLinux, []);
    expect(name.length).toBeLessThanOrEqual(DEVICE_NAME_MAX_LENGTH);
    expect(name.endsWith(' Chrome - Linux')).toBe(true);
  });
});

describe('device status rules', () => {
  it('a new device waits for approval when the user has a trusted device, else for a mailed code', () => {
    expect(initialDeviceStatus(true)).toBe('pending_approval');
    expect(initialDeviceStatus(false)).toBe('pending_verification');
  });

  it('approved and pending devices count toward the limit; denied and removed do not', () => {
    expect(isLiveStatus('approved')).toBe(true);
    expect(isLiveStatus('pending_approval')).toBe(true);
    expect(isLiveStatus('pending_verification')).toBe(true);
    expect(isLiveStatus('denied')).toBe(false);
    expect(isLiveStatus('removed')).toBe(false);
  });

  it('only pending devices can be approved or denied', () => {
    expect(canBeDecided('pending_approval')).toBe(true);
    expect(canBeDecided('pending_verification')).toBe(true);
    expect(canBeDecided('approved')).toBe(false);
    expect(canBeDecided('denied')).toBe(false);
    expect(canBeDecided('removed')).toBe(false);
  });

  it('an approval lasts the given number of days', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(approvalExpiry(now, 90).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });
});
