import { describe, expect, it } from 'vitest';
import { emailChangeConfirmMail, emailChangeNoticeMail, ownershipTransferredMail } from './member-mails.js';

const hostile = '<b>Acme & "Co"</b>';
const escaped = '&lt;b&gt;Acme &amp; &quot;Co&quot;&lt;/b&gt;';

describe('Change email mails', () => {
  const confirmUrl = 'https://gatehouse.test/email/confirm?token=abc_DEF-123';
  const confirmation = emailChangeConfirmMail({
    workspaceName: hostile,
    displayName: hostile,
    requesterName: 'Ada Owner',
    currentEmail: 'mia@acme.test',
    newEmail: 'mia@new.test',
    expiresAt: new Date('2026-12-03T17:00:00Z'),
    confirmUrl,
  });

  it('the new address gets the link, in text and as a Confirm email address button, escaped', () => {
    expect(confirmation.subject).toBe('Confirm your new email address on Gatehouse');
    expect(confirmation.text).toContain(`Confirm email address: ${confirmUrl}`);
    expect(confirmation.text).toContain('from mia@acme.test to mia@new.test');
    expect(confirmation.text).toContain('expires on 3 December 2026, 17:00 UTC');
    expect(confirmation.html).toMatch(
      /<a href="https:\/\/gatehouse\.test\/email\/confirm\?token=abc_DEF-123"[^>]*>Confirm email address<\/a>/,
    );
    expect(confirmation.html).not.toContain(hostile);
    expect(confirmation.html).toContain(escaped);
  });

  it('the old address gets a notice without the link', () => {
    const notice = emailChangeNoticeMail({
      workspaceName: hostile,
      displayName: 'Mia',
      requesterName: hostile,
      newEmail: 'mia@new.test',
    });
    expect(notice.subject).toBe('A change of your Gatehouse email address was requested');
    expect(notice.text).toContain('to mia@new.test');
    expect(notice.text + notice.html).not.toContain('/email/confirm');
    expect(notice.html).not.toContain(hostile);
    expect(notice.html).toContain(escaped);
  });
});

describe('Transfer workspace ownership mail', () => {
  const input = {
    workspaceName: hostile,
    previousOwnerName: 'Ada Owner',
    newOwnerName: 'Adam Admin',
    settingsUrl: 'https://gatehouse.test/app/settings/workspace',
  };

  it('tells each side what changed for them, with no chosen text in the subject', () => {
    const toNew = ownershipTransferredMail({ ...input, displayName: 'Adam Admin', toNewOwner: true });
    const toOld = ownershipTransferredMail({ ...input, displayName: 'Ada Owner', toNewOwner: false });
    expect(toNew.subject).toBe('The ownership of your Gatehouse workspace was transferred');
    expect(toOld.subject).toBe(toNew.subject);
    expect(toNew.text).toContain('Ada Owner transferred the ownership');
    expect(toNew.text).toContain('You are now its owner');
    expect(toOld.text).toContain('You transferred the ownership');
    expect(toOld.text).toContain('you are now an admin');
    for (const mail of [toNew, toOld]) {
      expect(mail.html).not.toContain(hostile);
      expect(mail.html).toContain(escaped);
      expect(mail.text).toContain(input.settingsUrl);
    }
  });
});
