import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { toastSuccess } from '../../lib/toast';
import { ConfirmModal } from '../ConfirmModal';

/**
 * **Reset password** for a guest (SPEC §2a), on the partner member page. Render it only when the server's
 * `permissions.resetPassword` says so; the server checks again. The temporary password goes to the guest
 * by email: the person who resets it never sees it.
 */
export function ResetGuestPasswordSection({
  partnerId,
  userId,
  name,
  email,
}: {
  partnerId: string;
  userId: string;
  name: string;
  email: string;
}) {
  const [asking, setAsking] = useState(false);
  const reset = useMutation({
    mutationFn: () => api.resetGuestPassword(partnerId, userId),
    onSuccess: () => {
      setAsking(false);
      toastSuccess(`Password reset: a temporary password was emailed to ${email}`);
    },
  });

  return (
    <Stack component="section" aria-labelledby="member-password" gap="sm">
      <Title order={2} size="h3" id="member-password">
        Password
      </Title>
      <Text size="sm">
        If {name} cannot sign in, reset their password: they get a new temporary password by email, as on invitation,
        and choose their own at their next sign-in.
      </Text>
      <Group>
        <Button variant="default" color="red" onClick={() => setAsking(true)}>
          Reset password
        </Button>
      </Group>
      <ConfirmModal
        opened={asking}
        title={`Reset password for ${name}?`}
        confirmLabel="Reset password"
        danger
        loading={reset.isPending}
        error={reset.error}
        onConfirm={() => reset.mutate()}
        onClose={() => {
          setAsking(false);
          reset.reset();
        }}
      >
        <Text>
          Their current password stops working and they are signed out everywhere. We email {email} a new temporary
          password; at their next sign-in they confirm with their second factor, if they have one, and choose a new
          password. You will not see the temporary password.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
