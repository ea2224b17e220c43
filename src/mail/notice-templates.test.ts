import { describe, expect, it } from 'vitest';
import { DEVICE_TRUSTED_SUBJECT, deviceTrustedMail, mfaResetMail } from './templates.js';
import {
  GUEST_PASSWORD_RESET_SUBJECT,
  guestPasswordResetMail,
  PASSWORD_RESET_BY_OPERATOR_SUBJECT,
  passwordResetByOperatorMail,
} from './password-mails.js';

const links = (html: string) =>
  [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1]!, text: m[2]! }));

describe('guestPasswordResetMail', () => {
  const input = {
    workspaceName: 'Acme <Inc>',
    partnerName: 'Bright & Co',
    displayName: 'Gus "G" User',
    adminName: 'Hugo Host',
    username: 'gus@agency.test',
    temporaryPassword: 'Tq7vX2pLm9wRk4zAbCdE',
    signInUrl: 'https://gatehouse.example/w/acme/sign-in?username=gus%40agency.test',
  };

  it('holds workspace, username and temporary password as on invitation, and a Sign in button; the subject holds none of it', () => {
    const { subject, text, html } = guestPasswordResetMail(input);
    expect(subject).toBe(GUEST_PASSWORD_RESET_SUBJECT);
    expect(subject).not.toContain(input.temporaryPassword);
    expect(text).toContain('Workspace: Acme <Inc>');
    expect(text).toContain('Username: gus@agency.test');
    expect(text).toContain('Temporary password: Tq7vX2pLm9wRk4zAbCdE');
    expect(text).toContain(
      'Hugo Host reset your password for Acme <Inc> on Gatehouse, where you are a guest of Bright & Co.',
    );
    expect(text).toContain(`Sign in: ${input.signInUrl}`);
    expect(html).toContain('Acme &lt;Inc&gt;');
    expect(html).toContain('Bright &amp; Co');
    expect(html).toContain('Gus &quot;G&quot; User');
    expect(html).not.toContain('<Inc>');
    expect(html).toContain('>Tq7vX2pLm9wRk4zAbCdE<');
    expect(links(html)[0]).toEqual({ href: input.signInUrl, text: 'Sign in' });
  });
});

describe('deviceTrustedMail', () => {
  const input = {
    workspaceName: 'Acme Inc',
    displayName: 'Ada Owner',
    deviceName: 'Ada <laptop>\u2028CALL +1 555 0100',
    kindName: 'web browser',
    trustedAt: new Date('2026-12-02T16:45:30Z'),
    ip: '203.0.113.5',
    devicesUrl: 'https://gatehouse.example/app/devices',
  };

  it('names the device, its kind, when and from where, and where to remove it; a name cannot break the line', () => {
    const { subject, text, html } = deviceTrustedMail(input);
    expect(subject).toBe(DEVICE_TRUSTED_SUBJECT);
    expect(text).toContain(
      'A new device was trusted: Ada <laptop>\uFFFDCALL +1 555 0100 (web browser), on 2 December 2026, 16:45 UTC, from the address 203.0.113.5, for Acme Inc on Gatehouse.',
    );
    expect(text).toContain(
      'If this was not you, remove it on My trusted devices and change your password: https://gatehouse.example/app/devices',
    );
    expect(text.split('\n').some((line) => line.startsWith('CALL'))).toBe(false);
    expect(html).toContain('<strong>Ada &lt;laptop&gt;\uFFFDCALL +1 555 0100</strong> (web browser)');
    expect(links(html)).toContainEqual({ href: input.devicesUrl, text: 'My trusted devices' });
  });

  it('leaves the address out when it is not known', () => {
    const { text } = deviceTrustedMail({ ...input, ip: null });
    expect(text).toContain('(web browser), on 2 December 2026, 16:45 UTC, for Acme Inc on Gatehouse.');
  });
});

describe('mails of the command line break-glass', () => {
  it('MFA reset by the operator names no admin', () => {
    const { text, html } = mfaResetMail({
      workspaceName: 'Acme Inc',
      displayName: 'Ada Owner',
      adminName: null,
      signInUrl: 'https://gatehouse.example/w/acme/sign-in',
    });
    expect(text).toContain("The operator of your workspace's Gatehouse server reset your multi-factor authentication");
    expect(text).toContain('If you did not ask for this, tell an administrator of Acme Inc right away.');
    expect(html).toContain('The operator of your workspace&#39;s Gatehouse server reset');
    expect(text).not.toContain('null');
  });

  it('a password reset by the operator is told without the password', () => {
    const { subject, text, html } = passwordResetByOperatorMail({
      workspaceName: 'Acme & Sons',
      displayName: 'Ada Owner',
      signInUrl: 'https://gatehouse.example/w/acme/sign-in',
    });
    expect(subject).toBe(PASSWORD_RESET_BY_OPERATOR_SUBJECT);
    expect(text).toContain("The operator of your workspace's Gatehouse server reset your password for Acme & Sons.");
    expect(text).not.toMatch(/Temporary password:/);
    expect(html).toContain('Acme &amp; Sons');
  });
});
