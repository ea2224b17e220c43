import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Member, MemberStatus } from '../api';
import { capitalize, formatDate } from '../lib/format';
import { useMe } from '../lib/me';
import { ResetMfaButton } from './ResetMfaSection';

const statusColor: Record<MemberStatus, string> = {
  active: 'teal',
  invited: 'blue',
  deactivated: 'gray',
};

export function MembersTable({ members }: { members: Member[] }) {
  const me = useMe();
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
            <Table.Th scope="col">Trusted devices</Table.Th>
            <Table.Th scope="col">MFA</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={7}>
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
                  <Anchor component={Link} to={`/app/members/${encodeURIComponent(m.id)}/devices`} size="sm">
                    Devices
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {/* Who acts on whom: nobody on the owner, only the owner on admins (the server decides). */}
                  {m.id !== me.user.id &&
                    m.status === 'active' &&
                    m.role !== 'owner' &&
                    (m.role !== 'admin' || me.user.role === 'owner') && (
                      <ResetMfaButton userId={m.id} name={m.displayName} />
                    )}
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
