import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Member, MemberStatus } from '../api';
import { capitalize, formatDate } from '../lib/format';
import { ResetMfaButton } from './ResetMfaSection';

const statusColor: Record<MemberStatus, string> = {
  active: 'teal',
  invited: 'blue',
  deactivated: 'gray',
};

/** "Authenticator app, 2 passkeys", or "Off". */
function describeMfa(mfa: Member['mfa']): string {
  const parts = [
    ...(mfa.totp ? ['Authenticator app'] : []),
    ...(mfa.passkeys > 0 ? [mfa.passkeys === 1 ? '1 passkey' : `${mfa.passkeys} passkeys`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'Off';
}

export function MembersTable({ members }: { members: Member[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Members" striped highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Added</Table.Th>
            <Table.Th scope="col">Last sign-in</Table.Th>
            <Table.Th scope="col">Trusted devices</Table.Th>
            <Table.Th scope="col">MFA</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={8}>
                <Text c="dimmed">No members yet.</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            members.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.email}</Table.Td>
                <Table.Td>{m.displayName}</Table.Td>
                <Table.Td>{capitalize(m.role)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={statusColor[m.status] ?? 'gray'}>
                    {capitalize(m.status)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <time dateTime={m.createdAt}>{formatDate(m.createdAt)}</time>
                </Table.Td>
                <Table.Td>
                  {m.lastSignInAt ? <time dateTime={m.lastSignInAt}>{formatDate(m.lastSignInAt)}</time> : 'Never'}
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/app/members/${encodeURIComponent(m.id)}/devices`} size="sm">
                    Devices
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Text size="sm">{describeMfa(m.mfa)}</Text>
                    {/* Offered exactly when the server would do it: who acts on whom, and a factor to reset. */}
                    {m.permissions.resetMfa && <ResetMfaButton userId={m.id} name={m.displayName} />}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
