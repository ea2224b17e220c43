import { describe, expect, it } from 'vitest';
import { accountSharedMail, deviceWaitingMail, guestJoinedMail, sharedWithPartnerMail } from './notification-mails.js';

const recipient = {
  workspaceName: 'Acme <Inc>',
  displayName: 'Mia Member',
  preferencesUrl: 'https://gatehouse.example.com/app/security#notifications',
};

describe('notification mails', () => {
  it('name people and accounts in both parts, escaped in HTML, with a fixed subject', () => {
    const mail = accountSharedMail({
      ...recipient,
      sharerName: 'Ada <script>',
      accountName: 'Company "Instagram"',
      role: 'collaborator',
      via: 'member',
      accountUrl: 'https://gatehouse.example.com/app/accounts/1',
    });
    expect(mail.subject).toBe('An account was shared with you on Gatehouse');
    expect(mail.text).toContain(
      'Ada <script> shared Company "Instagram" with you as collaborator, in Acme <Inc> on Gatehouse.',
    );
    expect(mail.html).toContain('Ada &lt;script&gt; shared Company &quot;Instagram&quot; with you');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('Turn them off under Security, Notifications: ' + recipient.preferencesUrl);
  });

  it('a share of several accounts with a partner is one mail naming each, with its role and end', () => {
    const mail = sharedWithPartnerMail({
      ...recipient,
      sharerName: 'Ada Owner',
      partnerName: 'Agency Ltd',
      accounts: [
        { name: 'Company Instagram', role: 'manager' },
        { name: 'Company LinkedIn', role: 'collaborator' },
      ],
      accessUntil: new Date('2027-01-31T17:00:00Z'),
      url: 'https://gatehouse.example.com/app/partners/p',
    });
    expect(mail.text).toContain(
      'Ada Owner shared 2 accounts with Agency Ltd, in Acme <Inc> on Gatehouse: Company Instagram (manager), Company LinkedIn (collaborator).',
    );
    expect(mail.text).toContain('This access ends by itself on 31 January 2027, 17:00 UTC (Access until).');
  });

  it('say security mail is always sent, and offer no opt-out', () => {
    const mail = deviceWaitingMail({
      ...recipient,
      deviceName: 'Unknown PC',
      kindName: 'web browser',
      requestedAt: new Date('2026-12-03T10:00:00Z'),
      ip: null,
      devicesUrl: 'https://gatehouse.example.com/app/devices',
    });
    expect(mail.text).toContain('Unknown PC (web browser), on 3 December 2026, 10:00 UTC, for Acme <Inc>');
    expect(mail.text).toContain('always sent');
    expect(mail.text).not.toContain('Turn them off');
  });

  it('tell a sponsor which guest joined, of which partner', () => {
    const mail = guestJoinedMail({
      ...recipient,
      guestName: 'Gail Admin',
      guestEmail: 'gail@agency.test',
      partnerName: 'Agency Ltd',
      guestUrl: 'https://gatehouse.example.com/app/partners/p/members/g',
    });
    expect(mail.text).toContain('Gail Admin (gail@agency.test), whom you invited as a guest of Agency Ltd');
  });
});
