import { Anchor, Button, Checkbox, Group, Modal, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { PartnerDetail } from '../../api';
import { accountKeys, accountsApi, itemRoleLabel, type GuestItemRole } from '../../lib/accounts';
import { partnerAccountsApi, shareableAccounts, type PartnerAccount } from '../../lib/partnerAccounts';
import { toastSuccess } from '../../lib/toast';
import { useIdentityConfirmation } from '../ConfirmIdentity';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';
import { AccessEndInput } from '../AccessEndInput';
import { endOfChosenDay } from '../../lib/accessEnds';
import { fieldMessages } from '../../lib/problems';

interface ShareAccountsModalProps {
  partner: PartnerDetail;
  /** What is shared with the partner already (not offered again). */
  shared: PartnerAccount[];
  opened: boolean;
  onClose: () => void;
}

const ROLES: GuestItemRole[] = ['collaborator', 'manager'];

/**
 * **Share accounts** → **Select Accounts and Roles**: a host admin picks accounts they own and the role
 * the partner's guest admins get on each, then **Finish** (with an identity confirmation when due).
 */
export function ShareAccountsModal({ partner, shared, opened, onClose }: ShareAccountsModalProps) {
  const queryClient = useQueryClient();
  const confirmed = useIdentityConfirmation();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [roles, setRoles] = useState<Record<string, GuestItemRole>>({});
  const [nothingSelected, setNothingSelected] = useState(false);
  const [lastDay, setLastDay] = useState('');

  const mine = useQuery({ queryKey: accountKeys.list(''), queryFn: () => accountsApi.list(''), enabled: opened });
  const offered = mine.data ? shareableAccounts(mine.data.accounts, shared) : [];
  const roleOf = (accountId: string) => roles[accountId] ?? 'collaborator';

  const share = useMutation({
    mutationFn: (items: Array<{ accountId: string; role: GuestItemRole }>) =>
      confirmed(() => partnerAccountsApi.share(partner.id, items, endOfChosenDay(lastDay)), 'Sharing accounts'),
    onSuccess: async (_none, items) => {
      const only = items.length === 1 ? offered.find((a) => a.id === items[0]!.accountId) : undefined;
      toastSuccess(
        only ? `${only.name} shared with ${partner.name}` : `${items.length} accounts shared with ${partner.name}`,
      );
      close();
      // The partner's tabs, its members' View details, and the owner's Users tabs all change.
      await queryClient.invalidateQueries({ queryKey: ['partners', partner.id] });
      await queryClient.invalidateQueries({ queryKey: accountKeys.all });
    },
  });

  function close() {
    setSelected(new Set());
    setRoles({});
    setNothingSelected(false);
    setLastDay('');
    share.reset();
    onClose();
  }

  function toggle(accountId: string, checked: boolean) {
    setNothingSelected(false);
    setSelected((current) => {
      const next = new Set(current);
      if (checked) next.add(accountId);
      else next.delete(accountId);
      return next;
    });
  }

  function finish() {
    const items = offered.filter((a) => selected.has(a.id)).map((a) => ({ accountId: a.id, role: roleOf(a.id) }));
    if (items.length === 0) {
      setNothingSelected(true);
      return;
    }
    share.mutate(items);
  }

  return (
    <Modal opened={opened} onClose={close} title="Select Accounts and Roles" centered size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          finish();
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Guest admins of {partner.name} can use the accounts you select with the role you give: managers may pass an
            account on to their guest users, collaborators only use it. Neither ever sees the password.
          </Text>
          <ProblemAlert error={mine.error ?? share.error} />
          {mine.isPending && opened ? (
            <Loading />
          ) : mine.data && offered.length === 0 ? (
            <Text size="sm">
              You own no accounts that are not shared with {partner.name} already.{' '}
              <Anchor component={Link} to="/app/accounts" size="sm" onClick={close}>
                Add an account
              </Anchor>{' '}
              first.
            </Text>
          ) : (
            offered.length > 0 && (
              <Table aria-label="Accounts you own" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Account</Table.Th>
                    <Table.Th scope="col">Role</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {offered.map((account) => (
                    <Table.Tr key={account.id}>
                      <Table.Td>
                        <Checkbox
                          label={account.name}
                          description={account.appName || undefined}
                          checked={selected.has(account.id)}
                          onChange={(event) => toggle(account.id, event.currentTarget.checked)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <NativeSelect
                          aria-label={`Role for ${account.name}`}
                          data={ROLES.map((role) => ({ value: role, label: itemRoleLabel[role] }))}
                          value={roleOf(account.id)}
                          onChange={(event) => {
                            const role = event.currentTarget.value as GuestItemRole;
                            setRoles((current) => ({ ...current, [account.id]: role }));
                            toggle(account.id, true);
                          }}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )
          )}
          {nothingSelected && (
            <Text size="sm" c="red" role="alert">
              Select at least one account.
            </Text>
          )}
          <AccessEndInput
            label="Access until"
            value={lastDay}
            onChange={setLastDay}
            error={fieldMessages(share.error, 'accessUntil')[0]}
          />
          <Group mt="xs">
            <Button type="submit" loading={share.isPending} disabled={offered.length === 0}>
              Finish
            </Button>
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
