import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { SetupChecklist } from '../components/SetupChecklist';
import { DueAccessReviews } from '../components/DueAccessReviews';
import { isWorkspaceAdmin, useMe } from '../lib/me';

export function DashboardPage() {
  const me = useMe();
  return (
    <Stack gap="lg" maw={720}>
      <Stack gap="sm">
        <Title order={1}>Welcome, {me.user.displayName}</Title>
        <Text c="dimmed">
          You are signed in to the {me.workspace.name} workspace.{' '}
          {isWorkspaceAdmin(me) ? (
            'Add the people who work with you under Members, and review what happened under Activity.'
          ) : (
            <>
              The accounts you can use are under{' '}
              <Anchor component={Link} to="/app/accounts">
                Accounts
              </Anchor>
              .
            </>
          )}
        </Text>
      </Stack>
      {me.user.role !== 'guest' && <DueAccessReviews />}
      <SetupChecklist />
    </Stack>
  );
}
