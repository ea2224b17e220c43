import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type PartnerDetail } from '../../api';
import { queryKeys, useWorkspaceMembers } from '../../lib/queries';
import { splitFieldProblems } from '../../lib/problems';
import { toastSuccess } from '../../lib/toast';
import { ProblemAlert } from '../ProblemAlert';

const fields = { userId: 'userId' };

interface Props {
  partner: PartnerDetail;
  opened: boolean;
  onClose: () => void;
}

/** Assign partnership host: a workspace member who is not a host of this partner yet. */
export function AssignHostModal({ partner, opened, onClose }: Props) {
  const queryClient = useQueryClient();
  // Only host admins and workspace admins open this, and they are members: they may list members.
  const members = useWorkspaceMembers(opened);
  const form = useForm<{ userId: string | null }>({ initialValues: { userId: null } });

  const hosts = new Set(partner.members.filter((m) => m.partnerRole === 'host_admin').map((m) => m.userId));
  const options = (members.data?.members ?? [])
    .filter((m) => m.status === 'active' && m.role !== 'guest' && !hosts.has(m.id))
    .map((m) => ({ value: m.id, label: `${m.displayName} (${m.email})` }));

  const assign = useMutation({
    mutationFn: (userId: string) => api.assignHostAdmin(partner.id, userId),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.partner(partner.id), updated);
      toastSuccess('Partnership host assigned');
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const other = splitFieldProblems(assign.error, fields).other;

  function close() {
    form.reset();
    assign.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Assign partnership host" centered>
      <form
        noValidate
        onSubmit={form.onSubmit(({ userId }) => {
          form.clearErrors();
          if (!userId) {
            form.setFieldError('userId', 'Choose a member.');
            return;
          }
          assign.mutate(userId);
        })}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Host admins manage {partner.name}: they invite and remove its guests and share accounts with it.
          </Text>
          <ProblemAlert error={assign.error ?? members.error} other={other} />
          <Select
            label="Member"
            placeholder={members.isPending ? 'Loading members…' : 'Choose a member'}
            data={options}
            searchable
            nothingFoundMessage={members.isPending ? 'Loading…' : 'Every member is already a host'}
            aria-required
            data-autofocus
            {...form.getInputProps('userId')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={assign.isPending}>
              Assign
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
