import { lastDayText } from '../../lib/accessEnds';
import { Badge, Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PartnerDetail } from '../../api';
import { accountKeys, itemRoleColor, itemRoleLabel } from '../../lib/accounts';
import { formatDate } from '../../lib/format';
import { partnerAccountKeys, partnerAccountsApi, type PartnerAccount } from '../../lib/partnerAccounts';
import { toastSuccess } from '../../lib/toast';
import { ConfirmModal } from '../ConfirmModal';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';
import { ShareAccountsModal } from './ShareAccountsModal';

/**
 * The partner's **Accounts** tab: what is shared with the partner and the role given. Host admins of the
 * partner share accounts they own; host admins and workspace admins remove them (the server checks both).
 */
export function PartnerAccountsPanel({ partner }: { partner: PartnerDetail }) {
  const queryClient = useQueryClient();
  const accounts = useQuery({
    queryKey: partnerAccountKeys.list(partner.id),
    queryFn: () => partnerAccountsApi.list(partner.id),
  });
  // SPEC §3: only host admins share (accounts they own); whoever runs the partner removes.
  const canShare = partner.permissions.shareAccounts;
  const canRemove = partner.permissions.removeAccounts;
  const [sharing, setSharing] = useState(false);
  // The account whose removal is being confirmed; kept while the dialog closes, so its title stays.
  const [removal, setRemoval] = useState<{ account: PartnerAccount; open: boolean } | null>(null);

  const remove = useMutation({
    mutationFn: (account: PartnerAccount) => partnerAccountsApi.remove(partner.id, account.id),
    onSuccess: async (_none, account) => {
      toastSuccess(`${account.name} removed from ${partner.name}`);
      setRemoval((r) => r && { ...r, open: false });
      await queryClient.invalidateQueries({ queryKey: ['partners', partner.id] });
      await queryClient.invalidateQueries({ queryKey: accountKeys.all });
    },
  });

  if (accounts.isPending) return <Loading />;
  if (!accounts.data) return <ProblemAlert error={accounts.error} />;
  const shared = accounts.data.accounts;

  return (
    <Stack>
      {canShare && (
        <Group>
          <Button onClick={() => setSharing(true)}>Share accounts</Button>
        </Group>
      )}
      {shared.length === 0 ? (
        <Text c="dimmed">No accounts have been shared with this partner yet.</Text>
      ) : (
        <Table aria-label="Shared accounts" striped verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Account</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
              <Table.Th scope="col">Shared</Table.Th>
              <Table.Th scope="col">Access until</Table.Th>
              {canRemove && (
                <Table.Th scope="col">
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shared.map((account) => (
              <Table.Tr key={account.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {account.name}
                  </Text>
                  {account.appName && (
                    <Text size="xs" c="dimmed">
                      {account.appName}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={itemRoleColor[account.role]}>
                    {itemRoleLabel[account.role]}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDate(account.sharedAt)}</Table.Td>
                <Table.Td>{account.accessUntil ? lastDayText(account.accessUntil) : 'No end'}</Table.Td>
                {canRemove && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${account.name} from the partner`}
                      onClick={() => {
                        remove.reset();
                        setRemoval({ account, open: true });
                      }}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      {canShare && (
        <ShareAccountsModal partner={partner} shared={shared} opened={sharing} onClose={() => setSharing(false)} />
      )}
      {canRemove && removal && (
        <ConfirmModal
          opened={removal.open}
          title={`Remove ${removal.account.name} from ${partner.name}?`}
          confirmLabel="Remove from partner"
          danger
          loading={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(removal.account)}
          onClose={() => setRemoval({ ...removal, open: false })}
        >
          <Text size="sm">
            The guest admins of {partner.name} stop using {removal.account.name}, and every onward share made from it
            ends too: the guest users it was passed on to lose it as well. The account itself and its owners are
            untouched.
          </Text>
        </ConfirmModal>
      )}
    </Stack>
  );
}
