import { describe, expect, it } from 'vitest';
import { passwordResetDoneMail, passwordResetIdpMail, passwordResetMail } from './password-mails.js';

const hostile = '<b>Acme & "Co"</b>';

describe('the Forgot your password? mails', () => {
  it('the reset link: in text and as a button, escaped, never in the subject', () => {
    const resetUrl = 'https://gatehouse.test/w/acme/reset-password?token=abc_DEF-123';
    const mail = passwordResetMail({
      workspaceName: hostile,
      displayName: hostile,
      resetUrl,
      validMinutes: 30,
      ip: '192.0.2.1',
    });
    expect(mail.subject).toBe('Reset your Gatehouse password');
    expect(mail.text).toContain(`Choose a new password: ${resetUrl}`);
    expect(mail.text).toContain('The link works once, for 30 minutes.');
    expect(mail.text).toContain('from the address 192.0.2.1');
    expect(mail.html).toMatch(
      /<a href="https:\/\/gatehouse\.test\/w\/acme\/reset-password\?token=abc_DEF-123"[^>]*>Choose a new password<\/a>/,
    );
    expect(mail.html).not.toContain(hostile);
    expect(mail.html).toContain('&lt;b&gt;Acme &amp; &quot;Co&quot;&lt;/b&gt;');
  });

  it("an idp member's mail points to the company's sign-in and holds no reset link", () => {
    const mail = passwordResetIdpMail({
      workspaceName: hostile,
      displayName: 'Mia',
      signInUrl: 'https://gatehouse.test/w/acme',
      ip: null,
    });
    expect(mail.text).toContain("through your company's identity provider");
    expect(mail.text).toContain('https://gatehouse.test/w/acme');
    expect(mail.text + mail.html).not.toContain('reset-password');
    expect(mail.html).not.toContain(hostile);
  });

  it('after a reset: every session signed out, and where to sign in again', () => {
    const mail = passwordResetDoneMail({
      workspaceName: 'Acme',
      displayName: hostile,
      ip: null,
      signInUrl: 'https://gatehouse.test/w/acme/sign-in',
    });
    expect(mail.subject).toBe('Your Gatehouse password was changed');
    expect(mail.text).toContain('Every session of yours was signed out, client apps included.');
    expect(mail.text).toContain('Sign in again: https://gatehouse.test/w/acme/sign-in');
    expect(mail.html).not.toContain(hostile);
  });
});
