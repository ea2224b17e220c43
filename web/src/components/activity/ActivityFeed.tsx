import { Stack, Text, Title } from '@mantine/core';
import type { ActivityEntry } from '../../lib/activity';

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A short name for a browser or client from its user agent (the whole string is in the row's title). */
function client(userAgent: string | null): string | null {
  if (!userAgent) return null;
  if (/gatehouse-cli/.test(userAgent)) return 'command line';
  const browser = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[1];
  return browser ? (browser === 'Edg' ? 'Edge' : browser) : userAgent.slice(0, 40);
}

/** Events grouped by day, newest first, each a sentence with its time, address and browser. */
export function ActivityFeed({ events }: { events: ActivityEntry[] }) {
  const days: Array<{ day: string; events: ActivityEntry[] }> = [];
  for (const event of events) {
    const day = dayFormat.format(new Date(event.occurredAt));
    const last = days.at(-1);
    if (last?.day === day) last.events.push(event);
    else days.push({ day, events: [event] });
  }
  return (
    <Stack gap="lg">
      {days.map(({ day, events: ofDay }) => (
        <section key={day} aria-label={day}>
          <Title order={2} size="h4" mb="xs">
            {day}
          </Title>
          <Stack component="ul" gap={6} p={0} m={0} style={{ listStyle: 'none' }}>
            {ofDay.map((event) => {
              const where = [event.ip, client(event.userAgent)].filter(Boolean).join(' · ');
              return (
                <li key={event.id}>
                  <Text size="sm">
                    <time dateTime={event.occurredAt} style={{ fontVariantNumeric: 'tabular-nums', marginRight: 8 }}>
                      {timeFormat.format(new Date(event.occurredAt))}
                    </time>
                    {event.summary}
                  </Text>
                  {where && (
                    <Text size="xs" c="dimmed" title={event.userAgent ?? undefined} ml={56}>
                      {where}
                    </Text>
                  )}
                </li>
              );
            })}
          </Stack>
        </section>
      ))}
    </Stack>
  );
}
