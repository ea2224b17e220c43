import { describe, expect, it } from 'vitest';
import { clientAppIsApproved, clientAppName, DEFAULT_APPROVED_CLIENT_APPS } from './client-apps.js';

describe('clientAppIsApproved', () => {
  it('always allows the web app itself, whatever the workspace approves', () => {
    expect(clientAppIsApproved('browser', [])).toBe(true);
  });

  it('allows the extension and the command line only while the workspace approves them', () => {
    expect(clientAppIsApproved('extension', DEFAULT_APPROVED_CLIENT_APPS)).toBe(true);
    expect(clientAppIsApproved('cli', DEFAULT_APPROVED_CLIENT_APPS)).toBe(false);
    expect(clientAppIsApproved('cli', ['extension', 'cli'])).toBe(true);
    expect(clientAppIsApproved('extension', ['cli'])).toBe(false);
  });

  it('names each client app as a sentence does', () => {
    expect(clientAppName('extension')).toBe('browser extension');
    expect(clientAppName('cli')).toBe('command line');
  });
});
