import { Stack, Text, Title } from '@mantine/core';
import { SetupChecklist } from '../components/SetupChecklist';
import { isWorkspaceAdmin, useMe } from '../lib/me';

export function DashboardPage() {
  const me = useMe();
  return (
    <Stack gap="lg" maw={720}>
      <Stack gap="sm">
        <Title order={1}>Welcome, {me.user.displayName}</Title>
        <Text c="dimmed">
          You are signed in to the {me.workspace.name} workspace.{' '}
          {isWorkspaceAdmin(me)
            ? 'Add the people who work with you under Members, and review what happened under Activity.'
            : 'The accounts shared with you will appear here.'}
        </Text>
      </Stack>
      <SetupChecklist />
    </Stack>
  );
}
