import { Badge, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notificationsApi, notificationsQueryKey, type NotificationPreference } from '../lib/notifications';
import { toastSuccess } from '../lib/toast';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';

/**
 * **Notifications** on the Security page (SPEC §8a): a switch per email the person may get, each with a
 * sentence saying when it is sent. Mail about their security is always sent: its switch is on and
 * disabled, and says so. The server refuses turning it off whatever this page shows.
 */
export function NotificationsSection() {
  const queryClient = useQueryClient();
  const preferences = useQuery({ queryKey: notificationsQueryKey, queryFn: notificationsApi.list });
  const update = useMutation({
    mutationFn: ({ kind, enabled }: Pick<NotificationPreference, 'kind' | 'enabled'>) =>
      notificationsApi.update([{ kind, enabled }]),
    onSuccess: (data, { kind, enabled }) => {
      queryClient.setQueryData(notificationsQueryKey, data);
      const label = data.notifications.find((n) => n.kind === kind)?.label ?? 'Notification';
      toastSuccess(`${label}: email ${enabled ? 'on' : 'off'}`);
    },
  });

  return (
    <Stack component="section" aria-labelledby="notifications-heading" gap="sm" id="notifications">
      <Title order={2} id="notifications-heading">
        Notifications
      </Title>
      <Text c="dimmed" size="sm">
        The emails Gatehouse sends you about what happens to your accounts, guests and devices. Turn off the ones you do
        not want; those about your security are always sent.
      </Text>
      {preferences.isPending ? (
        <Loading />
      ) : preferences.isError ? (
        <ProblemAlert error={preferences.error} />
      ) : (
        <Paper withBorder radius="md" p="md">
          <Stack gap="md">
            {preferences.data.notifications.map((preference) => (
              <Switch
                key={preference.kind}
                label={
                  preference.security ? (
                    <Group component="span" gap={6}>
                      {preference.label}
                      <Badge component="span" size="xs" color="teal" variant="light" style={{ flexShrink: 0 }}>
                        Always on
                      </Badge>
                    </Group>
                  ) : (
                    preference.label
                  )
                }
                // Disabled, yet on: the label keeps the text colour so it does not read as switched off.
                styles={preference.security ? { label: { color: 'var(--mantine-color-text)' } } : undefined}
                description={
                  preference.security
                    ? `${preference.description} Always sent: about your security.`
                    : preference.description
                }
                checked={preference.enabled}
                disabled={preference.security || update.isPending}
                onChange={(event) => update.mutate({ kind: preference.kind, enabled: event.currentTarget.checked })}
              />
            ))}
          </Stack>
        </Paper>
      )}
      {update.isError && <ProblemAlert error={update.error} />}
    </Stack>
  );
}
