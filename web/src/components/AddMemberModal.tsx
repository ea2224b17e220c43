import { Button, Group, Modal, NativeSelect, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type NewMemberInput } from '../api';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';
import { PasswordField } from './PasswordField';
import { ProblemAlert } from './ProblemAlert';

const fields = ['email', 'displayName', 'role', 'password'] as const;
const roles: { value: NewMemberInput['role']; label: string }[] = [
  { value: 'member', label: 'Member' },
  { value: 'admin', label: 'Admin' },
];
const initialValues: NewMemberInput = { email: '', displayName: '', role: 'member', password: '' };

interface AddMemberModalProps {
  opened: boolean;
  onClose: () => void;
}

export function AddMemberModal({ opened, onClose }: AddMemberModalProps) {
  const queryClient = useQueryClient();
  const form = useForm<NewMemberInput>({ initialValues });

  const add = useMutation({
    mutationFn: (values: NewMemberInput) =>
      api.addMember({ ...values, email: values.email.trim(), displayName: values.displayName.trim() }),
    onSuccess: async () => {
      toastSuccess('Member added');
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
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
    <Modal opened={opened} onClose={close} title="Add member" centered>
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          form.clearErrors();
          add.mutate(values);
        })}
      >
        <Stack>
          <ProblemAlert error={add.error} other={other} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('email')}
          />
          <TextInput label="Name" autoComplete="off" aria-required {...form.getInputProps('displayName')} />
          <NativeSelect label="Role" data={roles} {...form.getInputProps('role')} />
          <PasswordField
            label="Initial password"
            description="At least 12 characters. Pass it on to the new member."
            autoComplete="new-password"
            aria-required
            {...form.getInputProps('password')}
          />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Add member
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
