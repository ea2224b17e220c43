import { Alert, Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { SetupChecklist } from '../components/SetupChecklist';
import { DueAccessReviews } from '../components/DueAccessReviews';
import { isWorkspaceAdmin, useMe } from '../lib/me';
import { useDevicesWaitingForApproval } from '../lib/devices';

export function DashboardPage() {
  const me = useMe();
  const waitingDevices = useDevicesWaitingForApproval();
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
      {waitingDevices.length > 0 && <DevicesWaiting devices={waitingDevices.map((d) => d.name)} />}
      {me.user.role !== 'guest' && <DueAccessReviews />}
      <SetupChecklist />
    </Stack>
  );
}

/** A sign-in elsewhere asked to trust a device: said on the dashboard, with the way to decide. */
function DevicesWaiting({ devices }: { devices: string[] }) {
  const title =
    devices.length === 1
      ? 'A device is waiting for your approval'
      : `${devices.length} devices are waiting for your approval`;
  return (
    <Alert color="yellow" variant="light" title={title}>
      <Text size="sm">
        {devices.length === 1
          ? `“${devices[0]}” asked to be trusted.`
          : `${devices.map((name) => `“${name}”`).join(', ')} asked to be trusted.`}{' '}
        {devices.length === 1 ? 'Approve it only if it is yours.' : 'Approve them only if they are yours.'}{' '}
        <Anchor component={Link} to="/app/devices" size="sm">
          Review on My trusted devices
        </Anchor>
      </Text>
    </Alert>
  );
}
