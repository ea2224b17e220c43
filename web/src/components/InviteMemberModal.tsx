import { Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type NewMemberInput } from '../api';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';
import { ProblemAlert } from './ProblemAlert';

const fields = ['email', 'role'] as const;
const initialValues: NewMemberInput = { email: '', role: 'member' };

interface InviteMemberModalProps {
  opened: boolean;
  onClose: () => void;
  /** Only the owner invites admins (making an admin is acting on an admin). */
  mayInviteAdmins: boolean;
}

/** **Invite member**: the person gets a Join workspace email and chooses their own password. */
export function InviteMemberModal({ opened, onClose, mayInviteAdmins }: InviteMemberModalProps) {
  const queryClient = useQueryClient();
  const form = useForm<NewMemberInput>({ initialValues });
  const roles = [
    { value: 'member', label: 'Member' },
    ...(mayInviteAdmins ? [{ value: 'admin', label: 'Admin' }] : []),
  ];

  const invite = useMutation({
    mutationFn: (values: NewMemberInput) => api.inviteMember({ ...values, email: values.email.trim() }),
    onSuccess: async (_, values) => {
      toastSuccess(`Invitation sent to ${values.email.trim()}`);
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const other = splitFieldProblems(invite.error, fields).other;

  function close() {
    form.reset();
    invite.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Invite member" centered>
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          form.clearErrors();
          invite.mutate(values);
        })}
      >
        <Stack>
          <ProblemAlert error={invite.error} other={other} />
          <Text size="sm">
            They get a Join workspace email and choose their own password. Nobody else ever sees it.
          </Text>
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('email')}
          />
          <NativeSelect label="Role" data={roles} {...form.getInputProps('role')} />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={invite.isPending}>
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
