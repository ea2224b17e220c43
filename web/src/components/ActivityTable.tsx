import { Code, Table, Text } from '@mantine/core';
import type { ActivityEvent } from '../api';
import { formatDateTime } from '../lib/format';

function target(event: ActivityEvent): string {
  const parts = [event.targetType, event.targetId].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(' ') : '—';
}

export function ActivityTable({ events }: { events: ActivityEvent[] }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table aria-label="Activity" striped verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Actor</Table.Th>
            <Table.Th scope="col">Target</Table.Th>
            <Table.Th scope="col">IP address</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={5}>
                <Text c="dimmed">No activity yet.</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            events.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>
                  <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                </Table.Td>
                <Table.Td>{e.actorEmail ?? 'System'}</Table.Td>
                <Table.Td>{target(e)}</Table.Td>
                <Table.Td title={e.userAgent ?? undefined}>{e.ip ?? '—'}</Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
