import { Box, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ActivityEvent } from '../../api';
import { accountKeys, accountsApi, itemRoleLabel } from '../../lib/accounts';
import { formatDateTime } from '../../lib/format';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';

type Names = Record<string, string>;

const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/** The role as people say it ("collaborator"), whatever the event stored. */
function roleName(value: unknown): string {
  const role = text(value);
  return role && role in itemRoleLabel ? itemRoleLabel[role as keyof typeof itemRoleLabel].toLowerCase() : 'a role';
}

/** What happened, in words, after the actor's name: "received the password for autofill on “Gus laptop”". */
export function describeAccountEvent(event: ActivityEvent, names: Names): string {
  const d = event.details;
  const who = (key: string) => names[text(d[key]) ?? ''] ?? 'someone no longer here';
  const device = text(d.deviceName);
  switch (event.action) {
    case 'account.created':
      return 'created the account';
    case 'account.updated': {
      const fields = Array.isArray(d.fields) ? d.fields.filter((f): f is string => typeof f === 'string') : [];
      return fields.length ? `edited ${fields.join(', ')}` : 'edited the account';
    }
    case 'account.deleted':
      return 'deleted the account';
    case 'account.password_delivered':
      return `received the password for autofill${device ? ` on “${device}”` : ''}`;
    case 'account.totp_code_issued':
      return `got a TOTP code${device ? ` on “${device}”` : ''}`;
    case 'account.password_revealed':
      return 'revealed the password';
    case 'account.totp_secret_revealed':
      return 'revealed the TOTP secret';
    case 'account.shared_with_member':
      return `shared it with ${who('userId')} as ${roleName(d.role)}`;
    case 'account.shared_with_partner':
      return `shared it with the partner ${who('partnerId')} as ${roleName(d.role)}`;
    case 'account.removed_from_partner':
      return `removed it from the partner ${who('partnerId')}`;
    case 'account.access_passed_on':
      return `passed it on to ${who('userId')}`;
    case 'account.role_changed':
      return `made ${who('userId')} ${roleName(d.role)}`;
    case 'account.access_removed':
      return `removed ${who('userId')}'s access`;
    default:
      return event.action;
  }
}

/** The account's **Activity** tab (SPEC §8), for its owners: who did what with it, and on which device. */
export function AccountActivityPanel({ accountId }: { accountId: string }) {
  const activity = useQuery({
    queryKey: accountKeys.activity(accountId),
    queryFn: () => accountsApi.activity(accountId),
  });
  if (activity.isPending) return <Loading />;
  if (activity.isError) return <ProblemAlert error={activity.error} />;
  const { events, names } = activity.data;
  return (
    <Stack gap="sm">
      <Text c="dimmed" size="sm">
        Who did what with this account, newest first: every password and TOTP code handed out names the device it went
        to.
      </Text>
      {/* A keyboard user can scroll the table sideways on a narrow screen: the region takes focus. */}
      <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Account activity, scrollable">
        <Table aria-label="Account activity" verticalSpacing="sm" miw={560}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Time</Table.Th>
              <Table.Th scope="col">What happened</Table.Th>
              <Table.Th scope="col">Address</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={3}>
                  <Text c="dimmed">Nothing yet.</Text>
                </Table.Td>
              </Table.Tr>
            ) : (
              events.map((event) => (
                <Table.Tr key={event.id}>
                  <Table.Td>
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      <strong>{event.actorEmail ?? 'Gatehouse'}</strong> {describeAccountEvent(event, names)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{event.ip ?? '—'}</Table.Td>
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </Box>
    </Stack>
  );
}
