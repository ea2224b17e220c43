/**
 * Email notifications (SPEC §8a): what a person is told about, and which of it they may turn off. Mail
 * about their security (a device of theirs waiting for approval) is always sent; the rest is on until
 * they turn it off in the **Notifications** section of Security.
 */

export const NOTIFICATION_KINDS = [
  'account-shared',
  'passed-on',
  'guest-joined',
  'access-expiring',
  'device-waiting',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationKindInfo {
  kind: NotificationKind;
  /** The switch's label in the Notifications section. */
  label: string;
  /** One sentence saying when the mail is sent. */
  description: string;
  /** About the person's security: always sent, and the switch cannot be turned off. */
  security: boolean;
}

const INFO: Record<NotificationKind, Omit<NotificationKindInfo, 'kind'>> = {
  'account-shared': {
    label: 'An account is shared with you',
    description:
      'When someone shares an account with you, with your partner (if you are its guest admin), or passes one on to you.',
    security: false,
  },
  'passed-on': {
    label: 'An account you own is passed on',
    description: "When a partner's manager passes one of your accounts on to a guest user of their partner.",
    security: false,
  },
  'guest-joined': {
    label: 'A guest you invited joins',
    description: 'When a guest you invited completes their first sign-in.',
    security: false,
  },
  'access-expiring': {
    label: 'Access ends soon',
    description: 'Seven days before a share or a guest’s access that concerns you ends by itself.',
    security: false,
  },
  'device-waiting': {
    label: 'A new device waits for your approval',
    description: 'When a device signs in as you and waits to be approved from one of your trusted devices.',
    security: true,
  },
};

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

export function notificationKindInfo(kind: NotificationKind): NotificationKindInfo {
  return { kind, ...INFO[kind] };
}

/** Every kind in the order the Notifications section lists them. */
export function notificationKinds(): NotificationKindInfo[] {
  return NOTIFICATION_KINDS.map(notificationKindInfo);
}

export function isSecurityNotification(kind: NotificationKind): boolean {
  return INFO[kind].security;
}

/**
 * Whether a person gets a notification of `kind`, given their stored choice (undefined: never changed).
 * Security mail is sent whatever is stored; the rest is on by default.
 */
export function notificationWanted(kind: NotificationKind, stored: boolean | undefined): boolean {
  return isSecurityNotification(kind) || stored !== false;
}

/** The person a notification would go to may not be the one who acted: nobody is told of their own action. */
export function recipientsOtherThanActor<T extends { id: string }>(people: T[], actorId: string | null): T[] {
  const seen = new Set<string>();
  return people.filter((person) => {
    if (person.id === actorId || seen.has(person.id)) return false;
    seen.add(person.id);
    return true;
  });
}
