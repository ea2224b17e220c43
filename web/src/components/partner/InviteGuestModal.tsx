import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type PartnerDetail } from '../../api';
import { queryKeys } from '../../lib/queries';
import { splitFieldProblems } from '../../lib/problems';
import { toastSuccess } from '../../lib/toast';
import { ProblemAlert } from '../ProblemAlert';

const fields = ['email'] as const;

interface Props {
  partner: PartnerDetail;
  opened: boolean;
  onClose: () => void;
}

/** Invite guest users: one email address; the person joins as a guest user. */
export function InviteGuestModal({ partner, opened, onClose }: Props) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { email: '' } });

  const invite = useMutation({
    mutationFn: (email: string) => api.inviteGuest(partner.id, email.trim()),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.partner(partner.id), updated);
      toastSuccess('Invitation sent');
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
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
    <Modal opened={opened} onClose={close} title="Invite guest users" centered>
      <form
        noValidate
        onSubmit={form.onSubmit(({ email }) => {
          form.clearErrors();
          invite.mutate(email);
        })}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            The person gets an email with a temporary password and joins {partner.name} as a guest user.
          </Text>
          <ProblemAlert error={invite.error} other={other} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('email')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={invite.isPending}>
              Send Invite
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
