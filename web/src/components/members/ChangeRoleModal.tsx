import { Button, Group, Modal, NativeSelect, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Member, type MemberRole } from '../../api';
import { queryKeys } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { ProblemAlert } from '../ProblemAlert';

const roles = [
  { value: 'member', label: 'Member' },
  { value: 'admin', label: 'Admin' },
];

/** **Change role** admin ↔ member; the person's next request already carries the new role. */
export function ChangeRoleModal({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [role, setRole] = useState<MemberRole | null>(null);
  const current: MemberRole = member?.role === 'admin' ? 'admin' : 'member';
  const chosen = role ?? (current === 'admin' ? 'member' : 'admin');
  const change = useMutation({
    mutationFn: () => api.changeMemberRole(member!.id, chosen),
    onSuccess: async () => {
      toastSuccess(`${member!.displayName} is now ${chosen === 'admin' ? 'an admin' : 'a member'}`);
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
  });
  function close() {
    setRole(null);
    change.reset();
    onClose();
  }
  return (
    <Modal opened={member !== null} onClose={close} title="Change role" centered>
      <Stack>
        <ProblemAlert error={change.error} />
        <Text size="sm">
          {member?.displayName} ({member?.email}) is {current === 'admin' ? 'an admin' : 'a member'}. Admins manage
          members, guests, partners and the workspace settings.
        </Text>
        <NativeSelect
          label="Role"
          data={roles}
          value={chosen}
          onChange={(event) => setRole(event.currentTarget.value as MemberRole)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button loading={change.isPending} disabled={chosen === current} onClick={() => change.mutate()}>
            Change role
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
