import { describe, expect, it } from 'vitest';
import {
  isNotificationKind,
  isSecurityNotification,
  NOTIFICATION_KINDS,
  notificationKinds,
  notificationWanted,
  recipientsOtherThanActor,
} from './notifications.js';

describe('notification kinds', () => {
  it('lists every kind once, each with a label and a sentence', () => {
    const kinds = notificationKinds();
    expect(kinds.map((k) => k.kind)).toEqual([...NOTIFICATION_KINDS]);
    for (const info of kinds) {
      expect(info.label.length).toBeGreaterThan(0);
      expect(info.description).toMatch(/\.$/);
    }
  });

  it('counts only the device waiting for approval as security mail', () => {
    expect(NOTIFICATION_KINDS.filter(isSecurityNotification)).toEqual(['device-waiting']);
  });

  it('knows its kinds and nothing else', () => {
    expect(isNotificationKind('access-expiring')).toBe(true);
    expect(isNotificationKind('password-reset')).toBe(false);
  });
});

describe('notificationWanted', () => {
  it('is on until the person turns it off', () => {
    expect(notificationWanted('account-shared', undefined)).toBe(true);
    expect(notificationWanted('account-shared', true)).toBe(true);
    expect(notificationWanted('account-shared', false)).toBe(false);
  });

  it('always sends security mail, whatever is stored', () => {
    expect(notificationWanted('device-waiting', false)).toBe(true);
  });
});

describe('recipientsOtherThanActor', () => {
  it('leaves out the actor and anyone listed twice', () => {
    const people = [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'c' }, { id: 'b' }];
    expect(recipientsOtherThanActor(people, 'c').map((p) => p.id)).toEqual(['a', 'b']);
    expect(recipientsOtherThanActor(people, null).map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });
});
