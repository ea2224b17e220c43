import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { PartnerSummary } from '../api';
import { partnerRoleLabel } from '../lib/partners';
import stacked from './StackedTable.module.css';

export function PartnersTable({ partners, emptyText }: { partners: PartnerSummary[]; emptyText: string }) {
  return (
    <Table.ScrollContainer minWidth={640} className={stacked.container}>
      <Table aria-label="Your partners" className={stacked.table} striped highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Company</Table.Th>
            <Table.Th scope="col">Your role</Table.Th>
            <Table.Th scope="col">Host admins</Table.Th>
            <Table.Th scope="col">Guests</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {partners.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text c="dimmed">{emptyText}</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            partners.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td data-label="Company">
                  <Anchor component={Link} to={`/app/partners/${encodeURIComponent(p.id)}`} fw={500}>
                    {p.name}
                  </Anchor>
                </Table.Td>
                <Table.Td data-label="Your role">
                  {p.myRole ? (
                    partnerRoleLabel[p.myRole]
                  ) : (
                    <Text span c="dimmed">
                      Workspace admin
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-label="Host admins">{p.hostAdmins.length > 0 ? p.hostAdmins.join(', ') : '—'}</Table.Td>
                <Table.Td data-label="Guests">{p.guestCount}</Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
