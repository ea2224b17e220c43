import { Badge, Button, Group, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  accountKeys,
  accountsApi,
  itemRoleColor,
  itemRoleLabel,
  type AccessEntry,
  type AccountDetail,
  type GuestItemRole,
} from '../../lib/accounts';
import { formatDateTime, sentence } from '../../lib/format';
import { memberStatusLabel } from '../../lib/partners';
import { toastSuccess } from '../../lib/toast';
import type { MemberStatus } from '../../api';
import { useIdentityConfirmation } from '../ConfirmIdentity';
import { ConfirmModal } from '../ConfirmModal';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';
import { ShareWithMemberModal } from './ShareWithMemberModal';
import { lastDayText } from '../../lib/accessEnds';
import stacked from '../StackedTable.module.css';

/** **Access until**: the last day of a share that ends by itself, or that it has none. */
const accessUntilText = (end: string | null) => (end ? lastDayText(end) : 'No end');

const guestRoleOptions = [
  { value: 'manager', label: itemRoleLabel.manager },
  { value: 'collaborator', label: itemRoleLabel.collaborator },
];

function statusText(status: string | null): string {
  if (!status) return '—';
  return memberStatusLabel[status as MemberStatus] ?? status;
}

const personOf = (entry: AccessEntry) => entry.email ?? entry.name;

/** The **Users** tab (owners): **Guest users**, then members and partners, with what an owner may change. */
export function AccountUsersPanel({ account }: { account: AccountDetail }) {
  const queryClient = useQueryClient();
  const confirmed = useIdentityConfirmation();
  const access = useQuery({ queryKey: accountKeys.access(account.id), queryFn: () => accountsApi.access(account.id) });
  const [removing, setRemoving] = useState<AccessEntry | null>(null);
  const [sharing, setSharing] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: accountKeys.access(account.id) });

  const changeRole = useMutation({
    mutationFn: ({ entry, role }: { entry: AccessEntry; role: GuestItemRole }) =>
      confirmed(() => accountsApi.changeGuestRole(account.id, entry.userId!, role), 'Changing a role'),
    onSuccess: async (_, { entry, role }) => {
      toastSuccess(`${personOf(entry)} is now ${itemRoleLabel[role].toLowerCase()}`);
      await refresh();
    },
  });

  const remove = useMutation({
    mutationFn: (entry: AccessEntry) => accountsApi.removeAccess(account.id, entry.userId!),
    onSuccess: async (_, entry) => {
      setRemoving(null);
      toastSuccess(`${personOf(entry)} removed from ${account.name}`);
      await refresh();
    },
  });

  if (access.isPending) return <Loading />;
  if (!access.data) return <ProblemAlert error={access.error} />;

  const entries = access.data.entries;
  const guests = entries.filter((e) => e.kind === 'guest');
  const others = entries.filter((e) => e.kind !== 'guest');
  // An account keeps at least one owner: the server refuses removing the last, so it is not offered.
  const owners = others.filter((e) => e.kind === 'member' && e.role === 'owner').length;

  return (
    <Stack gap="lg">
      <ProblemAlert error={changeRole.error} />
      <section aria-labelledby="guest-users-title">
        <Title order={2} size="h4" id="guest-users-title" mb="sm">
          Guest users
        </Title>
        {guests.length === 0 ? (
          <Text c="dimmed" size="sm">
            No guest can use this account. Share it with a partner from the partner&apos;s page.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={760} className={stacked.container}>
            <Table aria-labelledby="guest-users-title" verticalSpacing="xs" className={stacked.table}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Shared via</Table.Th>
                  <Table.Th>Access until</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {guests.map((entry) => (
                  <Table.Tr key={entry.userId}>
                    <Table.Td data-label="Email">{personOf(entry)}</Table.Td>
                    <Table.Td data-label="Role">
                      <Select
                        aria-label={`Role of ${personOf(entry)}`}
                        data={guestRoleOptions}
                        value={entry.role}
                        allowDeselect={false}
                        size="xs"
                        w={150}
                        disabled={changeRole.isPending}
                        onChange={(value) => {
                          if (value && value !== entry.role) {
                            changeRole.mutate({ entry, role: value as GuestItemRole });
                          }
                        }}
                      />
                    </Table.Td>
                    <Table.Td data-label="Shared via">{entry.sharedVia ?? 'Direct'}</Table.Td>
                    <Table.Td data-label="Access until">{accessUntilText(entry.accessUntil)}</Table.Td>
                    <Table.Td data-label="Last used">
                      {entry.lastUsedAt ? formatDateTime(entry.lastUsedAt) : 'Never'}
                    </Table.Td>
                    <Table.Td data-label="Status">{statusText(entry.status)}</Table.Td>
                    <Table.Td>
                      {entry.ownGrant ? (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove from account: ${personOf(entry)}`}
                          onClick={() => setRemoving(entry)}
                        >
                          Remove from account
                        </Button>
                      ) : (
                        <Text size="xs" c="dimmed">
                          Through the partner&apos;s share
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </section>

      <section aria-labelledby="members-partners-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="members-partners-title">
            Members and partners
          </Title>
          {account.permissions.share && (
            <Button size="xs" onClick={() => setSharing(true)}>
              Share with a member
            </Button>
          )}
        </Group>
        <Table.ScrollContainer minWidth={600} className={stacked.container}>
          <Table aria-labelledby="members-partners-title" verticalSpacing="xs" className={stacked.table}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Access until</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {others.map((entry) => (
                <Table.Tr key={entry.userId ?? `partner-${entry.partnerId}`}>
                  <Table.Td data-label="Name">
                    {entry.name}
                    {entry.kind === 'partner' && (
                      <Badge ml="xs" size="sm" variant="outline">
                        Partner
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td data-label="Email">{entry.email ?? '—'}</Table.Td>
                  <Table.Td data-label="Role">
                    <Badge variant="light" color={itemRoleColor[entry.role]}>
                      {itemRoleLabel[entry.role]}
                    </Badge>
                  </Table.Td>
                  <Table.Td data-label="Access until">{accessUntilText(entry.accessUntil)}</Table.Td>
                  <Table.Td>
                    {entry.kind === 'member' && !(entry.role === 'owner' && owners === 1) && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove from account: ${personOf(entry)}`}
                        onClick={() => setRemoving(entry)}
                      >
                        Remove from account
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>

      <ConfirmModal
        opened={removing !== null}
        title="Remove from account?"
        confirmLabel="Remove from account"
        danger
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <Text size="sm">
          {removing ? personOf(removing) : ''} will no longer be able to use {sentence(account.name)} Anyone they shared
          it on to loses it too.
        </Text>
      </ConfirmModal>
      {account.permissions.share && (
        <ShareWithMemberModal
          opened={sharing}
          onClose={() => setSharing(false)}
          account={account}
          alreadyShared={new Set(entries.filter((e) => e.kind === 'member').map((e) => e.userId!))}
          onShared={refresh}
        />
      )}
    </Stack>
  );
}
