import { describe, expect, it } from 'vitest';
import { isChangedNotification, isDetectResponse, isFillRequest, isFillResponse, isPopupRequest } from './messages.js';

describe('the messages between the extension’s parts', () => {
  it('the service worker answers only the popup requests it knows, with the fields they need', () => {
    for (const type of [
      'getStatus',
      'forgetAddress',
      'connect',
      'cancelConnect',
      'openApproval',
      'sendDeviceCode',
      'signOut',
      'pageAccounts',
    ]) {
      expect(isPopupRequest({ type })).toBe(true);
    }
    expect(isPopupRequest({ type: 'setAddress', address: 'https://gatehouse.example.com' })).toBe(true);
    expect(isPopupRequest({ type: 'setAddress' })).toBe(false);
    expect(isPopupRequest({ type: 'verifyDevice', code: '123456' })).toBe(true);
    expect(isPopupRequest({ type: 'verifyDevice', code: 123456 })).toBe(false);
    expect(isPopupRequest({ type: 'fill', accountId: 'a', tabId: 3 })).toBe(true);
    expect(isPopupRequest({ type: 'fill', accountId: 'a', tabId: '3' })).toBe(false);
    expect(isPopupRequest({ type: 'fill', tabId: 3 })).toBe(false);
    expect(isPopupRequest({ type: 'reveal' })).toBe(false);
    expect(isPopupRequest('getStatus')).toBe(false);
    expect(isPopupRequest(null)).toBe(false);
  });

  it('a frame’s answer to detect says which fields it shows and where it sits', () => {
    const answer = {
      type: 'detected',
      origin: 'https://example.com',
      fields: { username: true, password: false, oneTimeCode: false },
      ancestorOrigins: ['https://example.com'],
    };
    expect(isDetectResponse(answer)).toBe(true);
    expect(isDetectResponse({ ...answer, fields: { username: true } })).toBe(false);
    expect(isDetectResponse({ ...answer, ancestorOrigins: [1] })).toBe(false);
    expect(isDetectResponse({ ...answer, origin: undefined })).toBe(false);
  });

  it('fill requests carry strings only; answers say filled or refused', () => {
    expect(isFillRequest({ type: 'fill', origin: 'https://example.com', username: 'u', password: 'p' })).toBe(true);
    expect(isFillRequest({ type: 'fill', origin: 'https://example.com', password: 42 })).toBe(false);
    expect(isFillRequest({ type: 'fill' })).toBe(false);
    expect(isFillResponse({ type: 'filled', filled: { username: true, password: true, oneTimeCode: false } })).toBe(
      true,
    );
    expect(isFillResponse({ type: 'refused', reason: 'no-fields' })).toBe(true);
    expect(isFillResponse({ type: 'other' })).toBe(false);
    expect(isChangedNotification({ type: 'changed' })).toBe(true);
    expect(isChangedNotification({ type: 'getStatus' })).toBe(false);
  });
});
