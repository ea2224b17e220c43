import { Button, Group, Modal, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, type NewPartnerInput } from '../api';
import { useMe } from '../lib/me';
import { queryKeys, useWorkspaceMembers } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';
import { ProblemAlert } from './ProblemAlert';

// The API names the guest admin's address "email" in its errors; it is this form's guestAdminEmail.
const fields = {
  name: 'name',
  guestAdminEmail: 'guestAdminEmail',
  email: 'guestAdminEmail',
  hostAdminIds: 'hostAdminIds',
};

interface AddPartnerModalProps {
  opened: boolean;
  onClose: () => void;
}

/** Add partner: the company, its first guest admin, and its hosts; Send Invite creates it and mails the invitation. */
export function AddPartnerModal({ opened, onClose }: AddPartnerModalProps) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const members = useWorkspaceMembers(opened);
  const initialValues: NewPartnerInput = { name: '', guestAdminEmail: '', hostAdminIds: [me.user.id] };
  const form = useForm<NewPartnerInput>({ initialValues });

  const hostOptions = (members.data?.members ?? [])
    .filter((m) => m.status === 'active' && m.role !== 'guest')
    .map((m) => ({ value: m.id, label: `${m.displayName} (${m.email})` }));

  const add = useMutation({
    mutationFn: (values: NewPartnerInput) =>
      api.addPartner({ ...values, name: values.name.trim(), guestAdminEmail: values.guestAdminEmail.trim() }),
    onSuccess: async (partner) => {
      queryClient.setQueryData(queryKeys.partner(partner.id), partner);
      toastSuccess('Invitation sent');
      close();
      navigate(`/app/partners/${encodeURIComponent(partner.id)}`);
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners, exact: true });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const other = splitFieldProblems(add.error, fields).other;

  function close() {
    form.reset();
    add.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Add partner" centered size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          form.clearErrors();
          add.mutate(values);
        })}
      >
        <Stack>
          <ProblemAlert error={add.error} other={other} />
          <ProblemAlert error={members.error} />
          <TextInput
            label="Company name"
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <TextInput
            label="Partner's email address"
            description="Becomes the partner's first guest admin"
            type="email"
            autoComplete="off"
            aria-required
            {...form.getInputProps('guestAdminEmail')}
          />
          <MultiSelect
            label="Partnership host"
            description="Workspace members who manage this partner"
            data={
              hostOptions.length > 0
                ? hostOptions
                : [{ value: me.user.id, label: `${me.user.displayName} (${me.user.email})` }]
            }
            searchable
            nothingFoundMessage="No member matches"
            aria-required
            {...form.getInputProps('hostAdminIds')}
          />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Send Invite
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
