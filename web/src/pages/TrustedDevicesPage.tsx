import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ConfirmModal } from '../components/ConfirmModal';
import { DevicesTable } from '../components/DevicesTable';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { deviceKeys, devicesApi, type Device } from '../lib/devices';
import { useMe } from '../lib/me';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';

/** New devices asking for approval show up without a reload. */
const LIST_POLL_MS = 5_000;

/** My trusted devices (/app/devices, SPEC §6): approve or deny new devices, remove old ones. */
export function TrustedDevicesPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const devices = useQuery({ queryKey: deviceKeys.mine, queryFn: devicesApi.list, refetchInterval: LIST_POLL_MS });
  const [removing, setRemoving] = useState<Device | null>(null);

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['devices'] });
    await queryClient.invalidateQueries({ queryKey: queryKeys.session });
  };
  const decide = useMutation({
    mutationFn: ({ device, decision }: { device: Device; decision: 'approve' | 'deny' }) =>
      decision === 'approve' ? devicesApi.approve(device.id) : devicesApi.deny(device.id),
    onSuccess: async (_result, { device, decision }) => {
      toastSuccess(decision === 'approve' ? `${device.name} approved` : `${device.name} denied`);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (device: Device) => devicesApi.remove(device.id),
    onSuccess: async (_result, device) => {
      setRemoving(null);
      toastSuccess(`${device.name} removed`);
      await refresh();
    },
  });

  const trusted = me.assurance.trusted;
  const hasPending = devices.data?.devices.some(
    (d) => d.status === 'pending_approval' || d.status === 'pending_verification',
  );

  return (
    <Stack maw={1100}>
      <Title order={1}>My trusted devices</Title>
      <Text c="dimmed">
        Each browser you set up as a trusted session is listed here. Passwords and TOTP codes are only given to a
        trusted device. Removing a device is final: it is out at its next request.
      </Text>
      {!trusted && hasPending && (
        <Alert color="yellow" variant="light" title="Approve from a trusted device">
          New devices can only be approved or denied from one of your trusted devices.{' '}
          <Anchor component={Link} to="/app/trusted-session">
            Set up a trusted session
          </Anchor>
        </Alert>
      )}
      <ProblemAlert error={decide.error ?? devices.error} />
      {devices.isPending ? (
        <Loading />
      ) : (
        devices.data && (
          <DevicesTable
            label="My trusted devices"
            devices={devices.data.devices}
            emptyText="You have no devices yet."
            busyDeviceId={decide.isPending ? decide.variables.device.id : null}
            onApprove={trusted ? (device) => decide.mutate({ device, decision: 'approve' }) : undefined}
            onDeny={trusted ? (device) => decide.mutate({ device, decision: 'deny' }) : undefined}
            onRemove={(device) => {
              remove.reset();
              setRemoving(device);
            }}
          />
        )
      )}
      {!devices.data?.devices.some((d) => d.current) && (
        <Group>
          <Button component={Link} to="/app/trusted-session" variant="light">
            Set up a trusted session
          </Button>
        </Group>
      )}
      <ConfirmModal
        opened={removing !== null}
        title="Remove device"
        confirmLabel="Remove"
        danger
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(null)}
      >
        <Text>
          {`Remove “${removing?.name ?? ''}”? It stops being trusted at once${removing?.current ? ', including this browser' : ''}. To use it again, set it up as a new device.`}
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
