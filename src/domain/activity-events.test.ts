import { describe, expect, it } from 'vitest';
import { activityGroup, describeEvent, type NamedEvent } from './activity-events.js';

const event = (action: string, names: Partial<NamedEvent> = {}, details: Record<string, unknown> = {}): NamedEvent => ({
  action,
  actorName: null,
  targetType: null,
  targetName: null,
  partnerName: null,
  accountName: null,
  subjectName: null,
  details,
  ...names,
});

describe('activity groups', () => {
  it('puts each action in the group the Event type filter names', () => {
    expect(activityGroup('auth.signed_in')).toBe('sign-in');
    expect(activityGroup('user.invited')).toBe('people');
    expect(activityGroup('mfa.turned_on')).toBe('people');
    expect(activityGroup('partner.guest_removed')).toBe('partners');
    expect(activityGroup('account.shared_with_partner')).toBe('accounts');
    expect(activityGroup('account.password_revealed')).toBe('secrets');
    expect(activityGroup('account.totp_code_issued')).toBe('secrets');
    expect(activityGroup('client_app.connected')).toBe('devices');
    expect(activityGroup('something.new')).toBeNull();
  });
});

describe('describeEvent', () => {
  it('tells an event with names', () => {
    expect(
      describeEvent(
        event(
          'account.access_passed_on',
          {
            actorName: 'Gina Guest',
            accountName: 'Instagram – Acme Brand',
            subjectName: 'Gus User',
          },
          { role: 'collaborator' },
        ),
      ),
    ).toBe('Gina Guest passed Instagram – Acme Brand on to Gus User as collaborator.');
    expect(
      describeEvent(
        event('partner.guest_removed', { actorName: 'Hugo Host', targetName: 'Gus User', partnerName: 'Agency One' }),
      ),
    ).toBe('Hugo Host removed Gus User from Agency One.');
    expect(
      describeEvent(event('auth.sign_in_failed', {}, { username: 'gus@agency.test', reason: 'wrong_password' })),
    ).toBe('A sign-in as gus@agency.test failed (wrong password).');
  });

  it('says when a share ends, and that an expiry ended it (SPEC §8a)', () => {
    const until = '2026-12-10T00:00:00.000Z';
    expect(
      describeEvent(
        event(
          'account.shared_with_partner',
          { actorName: 'Hugo Host', accountName: 'Instagram', partnerName: 'Agency One' },
          { role: 'manager', accessUntil: until },
        ),
      ),
    ).toBe('Hugo Host shared Instagram with Agency One as manager until 10 December 2026, 00:00 UTC.');
    expect(
      describeEvent(event('account.access_expired', { accountName: 'Instagram', partnerName: 'Agency One' }, {})),
    ).toBe('The access of Agency One to Instagram ended: its access-until date came.');
    expect(
      describeEvent(event('account.access_expired', { accountName: 'Instagram', subjectName: 'Mia Member' }, {})),
    ).toBe('The access of Mia Member to Instagram ended: its access-until date came.');
    expect(
      describeEvent(
        event(
          'partner.guest_access_end_set',
          { actorName: 'Hugo Host', targetName: 'Gus User' },
          { accessEndsAt: until },
        ),
      ),
    ).toBe('Hugo Host set the guest access of Gus User to end on 10 December 2026, 00:00 UTC.');
    expect(
      describeEvent(
        event('partner.guest_access_ended', { targetName: 'Gus User', partnerName: 'Agency One' }, { cause: 'expiry' }),
      ),
    ).toBe('The guest access of Gus User to Agency One ended on its end date.');
  });

  it('names the device a secret went to', () => {
    const names = { actorName: 'Gail Guest', accountName: 'Instagram' };
    expect(describeEvent(event('account.password_delivered', names, { deviceName: 'Gail laptop' }))).toBe(
      'Gail Guest had the password of Instagram filled in by a client app on “Gail laptop”.',
    );
    expect(describeEvent(event('account.totp_code_issued', names, { deviceId: null }))).toBe(
      'Gail Guest got a TOTP code for Instagram.',
    );
  });

  it('names the operator for command-line actions and falls back to words for an unknown action', () => {
    expect(describeEvent(event('mfa.reset', { targetName: 'Ada Owner' }, { via: 'cli' }))).toBe(
      'The operator (command line) reset the MFA of Ada Owner.',
    );
    expect(describeEvent(event('something.new_here', { actorName: 'Ada Owner' }))).toBe(
      'Ada Owner: something new here.',
    );
  });
});
