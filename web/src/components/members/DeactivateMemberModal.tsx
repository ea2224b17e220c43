import { Alert, Button, Group, List, Modal, NativeSelect, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Member } from '../../api';
import { queryKeys } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';

interface DeactivateMemberModalProps {
  member: Member | null;
  /** Everyone in the list, to choose who takes over what only this member owns or hosts. */
  members: Member[];
  onClose: () => void;
}

/**
 * **Deactivate**: first shows what would be left without an owner or a host, and asks **Transfer
 * ownership to**; then every session, trusted device and grant of theirs ends at once.
 */
export function DeactivateMemberModal({ member, members, onClose }: DeactivateMemberModalProps) {
  const queryClient = useQueryClient();
  const [heir, setHeir] = useState('');
  const handover = useQuery({
    queryKey: ['members', member?.id, 'deactivation'],
    queryFn: () => api.previewDeactivation(member!.id),
    enabled: member !== null,
    staleTime: 0,
  });
  const needsHeir = (handover.data?.accounts.length ?? 0) + (handover.data?.partners.length ?? 0) > 0;
  const candidates = members.filter((m) => m.status === 'active' && m.id !== member?.id);
  const deactivate = useMutation({
    mutationFn: () => api.deactivateMember(member!.id, needsHeir ? heir : undefined),
    onSuccess: async () => {
      toastSuccess(`${member!.displayName} was deactivated`);
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
  });
  function close() {
    setHeir('');
    deactivate.reset();
    onClose();
  }
  const name = member?.displayName ?? '';
  return (
    <Modal opened={member !== null} onClose={close} title={`Deactivate ${name}?`} centered size="lg">
      <Stack>
        <ProblemAlert error={handover.error ?? deactivate.error} />
        <Text size="sm">
          {name} is signed out everywhere at once, loses every trusted device and their access to every account and
          partner, and can no longer sign in. Reactivating them later restores sign-in only.
        </Text>
        {handover.isPending ? (
          <Loading />
        ) : (
          needsHeir && (
            <Alert color="yellow" title="Someone must take over first">
              <Stack gap="xs">
                {handover.data!.accounts.length > 0 && (
                  <>
                    <Text size="sm">{name} is the only owner of:</Text>
                    <List size="sm" aria-label="Accounts only they own">
                      {handover.data!.accounts.map((a) => (
                        <List.Item key={a.id}>{a.name}</List.Item>
                      ))}
                    </List>
                  </>
                )}
                {handover.data!.partners.length > 0 && (
                  <>
                    <Text size="sm">{name} is the only host admin of:</Text>
                    <List size="sm" aria-label="Partners only they host">
                      {handover.data!.partners.map((p) => (
                        <List.Item key={p.id}>{p.name}</List.Item>
                      ))}
                    </List>
                  </>
                )}
                <NativeSelect
                  label="Transfer ownership to"
                  aria-required
                  data={[
                    { value: '', label: 'Choose a member' },
                    ...candidates.map((m) => ({ value: m.id, label: `${m.displayName} (${m.email})` })),
                  ]}
                  value={heir}
                  onChange={(event) => setHeir(event.currentTarget.value)}
                />
              </Stack>
            </Alert>
          )
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button
            color="red"
            loading={deactivate.isPending}
            disabled={handover.isPending || (needsHeir && heir === '')}
            onClick={() => deactivate.mutate()}
          >
            Deactivate
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
