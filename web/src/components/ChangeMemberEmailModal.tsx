import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api';
import { splitFieldProblems } from '../lib/problems';
import { ProblemAlert } from './ProblemAlert';

const fields = ['email'] as const;

export interface ChangeMemberEmailModalProps {
  /** The member whose email changes; the dialog is open while this is set. */
  member: { id: string; email: string; displayName: string } | null;
  onClose: () => void;
}

/**
 * **Change email** of a member (SPEC §2a): a **Confirm email address** link goes to the new address and
 * a notice to the old one. Nothing changes until the link is opened; then the member signs in with the
 * new address.
 */
export function ChangeMemberEmailModal({ member, onClose }: ChangeMemberEmailModalProps) {
  const form = useForm({ initialValues: { email: '' } });
  const send = useMutation({
    mutationFn: ({ userId, email }: { userId: string; email: string }) => api.changeMemberEmail(userId, email.trim()),
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const { fieldErrors, other } = splitFieldProblems(send.error, fields);

  function close() {
    form.reset();
    send.reset();
    onClose();
  }

  return (
    <Modal opened={member !== null} onClose={close} title="Change email" centered>
      {member &&
        (send.data ? (
          <Stack>
            <Alert color="teal" variant="light" role="status" title="Confirmation link sent">
              We sent a link to <strong>{send.data.newEmail}</strong>. Once it is opened there, {member.displayName}{' '}
              signs in with the new address. Until then nothing changes: they keep signing in with {member.email}.
            </Alert>
            <Text size="sm" c="dimmed">
              The link works once, for 24 hours. {member.email} was told that a change was requested.
            </Text>
            <Group justify="flex-end">
              <Button onClick={close} data-autofocus>
                Done
              </Button>
            </Group>
          </Stack>
        ) : (
          <form
            noValidate
            onSubmit={form.onSubmit((values) => {
              form.clearErrors();
              send.mutate({ userId: member.id, email: values.email });
            })}
          >
            <Stack>
              <Text size="sm">
                {member.displayName} signs in with <strong>{member.email}</strong>. A link to confirm goes to the new
                address; the change happens only when it is opened there, and then they sign in with the new address.
              </Text>
              {/* A problem with the address shows under the field (and stays there while it is corrected). */}
              {!fieldErrors.email && <ProblemAlert error={send.error} other={other} />}
              <TextInput
                label="New email"
                type="email"
                autoComplete="off"
                aria-required
                data-autofocus
                {...form.getInputProps('email')}
              />
              <Group justify="flex-end" mt="xs">
                <Button variant="default" onClick={close}>
                  Cancel
                </Button>
                <Button type="submit" loading={send.isPending}>
                  Send confirmation link
                </Button>
              </Group>
            </Stack>
          </form>
        ))}
    </Modal>
  );
}
