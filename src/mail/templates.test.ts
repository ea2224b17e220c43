import { describe, expect, it } from 'vitest';
import {
  DEVICE_CODE_SUBJECT,
  deviceCodeMail,
  escapeHtml,
  formatUtc,
  INVITATION_SUBJECT,
  invitationMail,
  MFA_RESET_SUBJECT,
  mfaResetMail,
} from './templates.js';

const input = {
  workspaceName: 'Acme Inc',
  partnerName: 'Bright Agency',
  inviterName: 'Ada Owner',
  username: 'guest@agency.test',
  temporaryPassword: 'Tq7-vX2p-Lm9w-Rk4z',
  expiresAt: new Date('2026-11-28T07:45:12Z'),
  joinUrl: 'https://gatehouse.example/join/abc123?x=1&y=2',
};

function buttons(html: string): { href: string; text: string }[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1]!, text: m[2]! }));
}

describe('invitationMail', () => {
  it('keeps user-chosen text out of the subject', () => {
    expect(invitationMail(input).subject).toBe("You're invited to join a workspace on Gatehouse");
  });

  it('holds workspace, username, temporary password, expiry and join link in text and HTML', () => {
    const { text, html } = invitationMail(input);
    const expiry = '28 November 2026, 07:45 UTC';
    for (const value of [
      input.workspaceName,
      input.username,
      input.temporaryPassword,
      expiry,
      input.partnerName,
      input.inviterName,
    ]) {
      expect(text).toContain(value);
      expect(html).toContain(escapeHtml(value));
    }
    expect(text).toContain(input.joinUrl);
    expect(html).toContain(escapeHtml(input.joinUrl));
  });

  it('has a "Join as a guest" button linking to the join URL', () => {
    const { html } = invitationMail(input);
    const [button] = buttons(html);
    expect(button).toEqual({ href: escapeHtml(input.joinUrl), text: 'Join as a guest' });
    // The entity-decoded href is exactly the join URL.
    expect(button!.href.replaceAll('&amp;', '&')).toBe(input.joinUrl);
    expect(html).toMatch(/<a [^>]*style="[^"]*background|<td [^>]*bgcolor="#[0-9a-f]{6}"[^>]*>\s*<a /);
  });

  it('escapes every value in the HTML', () => {
    const hostile = {
      ...input,
      workspaceName: '<script>alert("x")</script>',
      partnerName: '<img src=x onerror=alert(1)>',
      inviterName: 'Eve & "friends"',
      username: "o'neil@x.test",
      temporaryPassword: '<b>pw</b>&amp;',
      joinUrl: 'https://gatehouse.example/join/t"><script>alert(1)</script>',
    };
    const { html, text, subject } = invitationMail(hostile);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>pw');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Eve &amp; &quot;friends&quot;');
    expect(html).toContain('o&#39;neil@x.test');
    expect(html).toContain('&lt;b&gt;pw&lt;/b&gt;&amp;amp;');
    expect(buttons(html)[0]!.text).toBe('Join as a guest');
    // Plain text is not HTML: it carries the values as they are.
    expect(text).toContain('<script>alert("x")</script>');
    expect(subject).toBe(INVITATION_SUBJECT);
  });
});

describe('formatUtc', () => {
  it('formats a time in UTC, to the minute', () => {
    expect(formatUtc(new Date('2026-01-05T23:09:59Z'))).toBe('5 January 2026, 23:09 UTC');
  });
});

describe('mfaResetMail', () => {
  const reset = {
    workspaceName: 'Acme <Inc>\r\nBcc: x@evil.test',
    displayName: 'Gina "G" Guest',
    adminName: 'Ada & Co',
    signInUrl: 'https://gatehouse.example/w/acme/sign-in',
  };

  it('says who reset it and where to sign in again, in text and HTML, escaping every value', () => {
    const { subject, text, html } = mfaResetMail(reset);
    expect(subject).toBe(MFA_RESET_SUBJECT);
    expect(text).toContain('Ada & Co reset your multi-factor authentication (MFA)');
    expect(text).toContain(reset.signInUrl);
    expect(html).toContain('Acme &lt;Inc&gt;');
    expect(html).toContain('Gina &quot;G&quot; Guest');
    expect(html).toContain('Ada &amp; Co');
    expect(html).not.toContain('<Inc>');
    expect(buttons(html)).toContainEqual({ href: reset.signInUrl, text: 'Sign in' });
  });
});

describe('deviceCodeMail', () => {
  it('shows a name stored before names were checked without the line break or reordering it carried', () => {
    const { subject, text, html } = deviceCodeMail({
      workspaceName: 'Acme\u202EInc',
      deviceName: 'Chrome\u2028\u2028SECURITY NOTICE: call +1 555 0100',
      code: '123456',
      validMinutes: 5,
      ip: '203.0.113.9',
    });
    expect(subject).toBe(DEVICE_CODE_SUBJECT);
    expect(text).not.toMatch(/[\u2028\u2029\u202E]/);
    expect(html).not.toMatch(/[\u2028\u2029\u202E]/);
    expect(text.split('\n').filter((line) => line.startsWith('SECURITY NOTICE'))).toEqual([]);
    expect(text).toContain('the device "Chrome\uFFFD\uFFFDSECURITY NOTICE: call +1 555 0100"');
    expect(text).toContain('Acme\uFFFDInc');
  });
});
