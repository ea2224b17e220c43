import { useState } from 'react';
import { Anchor, Button, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api';
import { useMe } from '../lib/me';
import { queryKeys, useWorkspaceMembers } from '../lib/queries';
import { toastSuccess } from '../lib/toast';
import { useIdentityConfirmation } from './ConfirmIdentity';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';

/**
 * **Transfer workspace ownership** on Workspace settings (SPEC §2a), shown to the owner only: choose an
 * active admin as the **New owner**, confirm, then confirm identity; the owner becomes an admin.
 */
export function TransferOwnershipSection() {
  const me = useMe();
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const members = useWorkspaceMembers();
  const [newOwnerId, setNewOwnerId] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const admins = (members.data?.members ?? []).filter((m) => m.role === 'admin' && m.status === 'active');
  const chosen = admins.find((m) => m.id === newOwnerId) ?? null;

  const transfer = useMutation({
    mutationFn: (userId: string) =>
      confirmIdentity(() => api.transferOwnership(userId), 'Transferring workspace ownership'),
    onSuccess: async ({ newOwner }) => {
      setAsking(false);
      toastSuccess(`${newOwner.displayName} is now the owner of the workspace. You are now an admin.`);
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
      await queryClient.invalidateQueries({ queryKey: queryKeys.session });
    },
  });

  return (
    <Stack component="section" aria-labelledby="transfer-ownership-heading" gap="sm" mt="xl">
      <Title order={2} id="transfer-ownership-heading">
        Transfer workspace ownership
      </Title>
      <Text c="dimmed" size="sm">
        The workspace has one owner. Hand the role to an active admin: they become the owner and you become an admin, so
        you can no longer act on other admins or transfer the ownership again.
      </Text>
      {!me.assurance.mfaEnabled ? (
        <Text size="sm">
          Transferring the ownership needs you to confirm your identity with a second factor.{' '}
          <Anchor component={Link} to="/app/security">
            Turn on MFA
          </Anchor>{' '}
          first.
        </Text>
      ) : members.isPending ? (
        <Loading />
      ) : members.isError ? (
        <ProblemAlert error={members.error} />
      ) : admins.length === 0 ? (
        <Text size="sm">
          Only an active admin can become the owner. Make a member an admin on the Members page first.
        </Text>
      ) : (
        <Stack maw={420}>
          {!asking && <ProblemAlert error={transfer.error} />}
          <Select
            label="New owner"
            placeholder="Choose an admin"
            data={admins.map((admin) => ({ value: admin.id, label: `${admin.displayName} (${admin.email})` }))}
            value={newOwnerId}
            onChange={(value) => {
              setNewOwnerId(value);
              transfer.reset();
            }}
            allowDeselect={false}
            searchable
            nothingFoundMessage="No active admin matches"
          />
          <Group>
            <Button variant="default" color="red" disabled={!chosen} onClick={() => setAsking(true)}>
              Transfer ownership
            </Button>
          </Group>
        </Stack>
      )}
      <ConfirmModal
        opened={asking && chosen !== null}
        title="Transfer workspace ownership"
        confirmLabel="Transfer ownership"
        danger
        loading={transfer.isPending}
        error={transfer.error}
        onConfirm={() => chosen && transfer.mutate(chosen.id)}
        onClose={() => {
          setAsking(false);
          transfer.reset();
        }}
      >
        <Text size="sm">
          {chosen?.displayName} ({chosen?.email}) becomes the owner of the workspace, and you become an admin. Only the
          new owner can give the role back.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
