import { Checkbox, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api';
import { deviceKeys, devicesApi, type Device } from '../lib/devices';
import { ConfirmModal } from './ConfirmModal';
import { DevicesTable } from './DevicesTable';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { toastSuccess } from '../lib/toast';

/**
 * Someone else's trusted devices, for the admins who may remove them (workspace owner and admins, and
 * a guest's host admins). The server decides: for anyone else the section does not show.
 */
export function UserDevicesSection({ userId, name }: { userId: string; name: string }) {
  const queryClient = useQueryClient();
  const [includeRemoved, setIncludeRemoved] = useState(false);
  const devices = useQuery({
    queryKey: [...deviceKeys.of(userId), includeRemoved],
    queryFn: () => devicesApi.listOf(userId, includeRemoved),
    retry: false,
  });
  const [removing, setRemoving] = useState<Device | null>(null);
  const remove = useMutation({
    mutationFn: (device: Device) => devicesApi.removeOf(userId, device.id),
    onSuccess: async (_result, device) => {
      setRemoving(null);
      toastSuccess(`${device.name} removed`);
      await queryClient.invalidateQueries({ queryKey: deviceKeys.of(userId) });
    },
  });

  if (devices.error instanceof ApiError && devices.error.status === 403) return null;
  return (
    <section aria-labelledby="user-devices">
      <Stack gap="sm">
        <Title order={2} size="h3" id="user-devices">
          Trusted devices
        </Title>
        <Checkbox
          label="Show removed devices"
          checked={includeRemoved}
          onChange={(event) => setIncludeRemoved(event.currentTarget.checked)}
        />
        <ProblemAlert error={devices.error} />
        {devices.isPending ? (
          <Loading />
        ) : (
          devices.data && (
            <DevicesTable
              label={`Trusted devices of ${name}`}
              devices={devices.data.devices}
              emptyText="No devices."
              onRemove={(device) => {
                remove.reset();
                setRemoving(device);
              }}
            />
          )
        )}
      </Stack>
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
        <Text>{`Remove “${removing?.name ?? ''}” of ${name}? It stops being trusted at their next request; removal is final.`}</Text>
      </ConfirmModal>
    </section>
  );
}
