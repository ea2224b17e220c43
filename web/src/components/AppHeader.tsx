import { Button, Divider, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, resetCsrfToken, type Me } from '../api';
import { errorMessage } from '../lib/problems';
import { forgetSignedInWorkspace } from '../lib/signedInWorkspace';
import { toastSuccess } from '../lib/toast';
import { Brand } from './Brand';

export function AppHeader({ me }: { me: Me }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const slug = me.workspace.slug;

  const finish = () => {
    resetCsrfToken();
    navigate(`/w/${encodeURIComponent(slug)}/sign-in`, { replace: true });
    queryClient.clear();
    // Signed out on purpose: the sign-in page is not to say "You were signed out" when this tab opens the app again.
    forgetSignedInWorkspace();
    toastSuccess('Signed out');
  };

  const signOut = useMutation({
    mutationFn: api.signOut,
    onSuccess: finish,
    onError: (error) => {
      // Already signed out (the session expired): the outcome the user asked for.
      if (error instanceof ApiError && error.status === 401) return finish();
      notifications.show({ color: 'red', title: 'Could not sign out', message: errorMessage(error) });
    },
  });

  return (
    <Group justify="space-between" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <Brand />
        <Divider orientation="vertical" />
        <Text fw={500} truncate="end">
          {me.workspace.name}
        </Text>
      </Group>
      <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
        <Text size="sm" c="dimmed" visibleFrom="xs" truncate="end">
          {me.user.displayName}
        </Text>
        <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
          Sign out
        </Button>
      </Group>
    </Group>
  );
}
