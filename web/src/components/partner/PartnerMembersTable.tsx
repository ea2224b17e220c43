import { lastDayText } from '../../lib/accessEnds';
import { Badge, Table, Text, VisuallyHidden } from '@mantine/core';
import type { PartnerDetail, PartnerMember } from '../../api';
import { formatDate } from '../../lib/format';
import {
  memberActions,
  memberName,
  memberStatusColor,
  memberStatusLabel,
  partnerRoleLabel,
  type MemberAction,
} from '../../lib/partners';
import { InvitationCell } from './InvitationCell';
import { MemberActionsMenu } from './MemberActionsMenu';
import stacked from '../StackedTable.module.css';

interface PartnerMembersTableProps {
  partner: PartnerDetail;
  meId: string;
  onAction: (action: MemberAction, member: PartnerMember) => void;
  busy: boolean;
}

export function PartnerMembersTable({ partner, meId, onAction, busy }: PartnerMembersTableProps) {
  return (
    <Table.ScrollContainer minWidth={860} className={stacked.container}>
      <Table aria-label="Members" className={stacked.table} striped highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Date joined</Table.Th>
            <Table.Th scope="col">Invitation</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {partner.members.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={6}>
                <Text c="dimmed">No members yet.</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            partner.members.map((m) => (
              <Table.Tr key={m.userId}>
                <Table.Td data-label="Name">
                  <Text size="sm" fw={500}>
                    {memberName(m)}
                    {m.userId === meId && (
                      <Text span size="sm" c="dimmed">
                        {' '}
                        (you)
                      </Text>
                    )}
                  </Text>
                  {memberName(m) !== m.email && (
                    <Text size="xs" c="dimmed">
                      {m.email}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-label="Role">{partnerRoleLabel[m.partnerRole]}</Table.Td>
                <Table.Td data-label="Status">
                  <Badge variant="light" color={memberStatusColor[m.status]}>
                    {memberStatusLabel[m.status]}
                  </Badge>
                  {m.accessEndsAt && m.status !== 'deactivated' && (
                    <Text size="xs" c="dimmed" mt={4}>
                      Access ends after {lastDayText(m.accessEndsAt)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-label="Date joined">
                  {m.joinedAt ? <time dateTime={m.joinedAt}>{formatDate(m.joinedAt)}</time> : <Text c="dimmed">—</Text>}
                </Table.Td>
                <Table.Td data-label="Invitation">
                  <InvitationCell invitation={m.invitation} />
                </Table.Td>
                <Table.Td className={stacked.actions} ta="right">
                  <MemberActionsMenu
                    member={m}
                    actions={memberActions(m, partner.permissions, meId)}
                    onAction={(action) => onAction(action, m)}
                    disabled={busy}
                  />
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
