import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { deviceKindLabel, deviceStatusBadgeColor, deviceStatusText, type Device } from '../lib/devices';
import { formatDate, formatDateTime } from '../lib/format';
import stacked from './StackedTable.module.css';

interface DevicesTableProps {
  label: string;
  devices: Device[];
  /** Shown on pending devices when given (My trusted devices, from a trusted session). */
  onApprove?: (device: Device) => void;
  onDeny?: (device: Device) => void;
  onRemove?: (device: Device) => void;
  busyDeviceId?: string | null;
  emptyText: string;
}

/** A user's devices (SPEC §6): name, kind, status, dates, and the actions the viewer may take. */
export function DevicesTable({
  label,
  devices,
  onApprove,
  onDeny,
  onRemove,
  busyDeviceId,
  emptyText,
}: DevicesTableProps) {
  return (
    // On a narrow screen the table scrolls sideways: its viewport takes keyboard focus so that it can be
    // scrolled without a mouse even when no row holds a button (WCAG 2.1.1; axe's scrollable-region-focusable).
    <Table.ScrollContainer
      minWidth={820}
      className={stacked.container}
      scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': label } }}
    >
      <Table aria-label={label} className={stacked.table} striped verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Kind</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">Last seen</Table.Th>
            <Table.Th scope="col">Approved until</Table.Th>
            <Table.Th scope="col">
              <Text span size="sm" fw={700}>
                Actions
              </Text>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {devices.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={7}>
                <Text c="dimmed">{emptyText}</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            devices.map((device) => {
              const pending = device.status === 'pending_approval' || device.status === 'pending_verification';
              const busy = busyDeviceId === device.id;
              return (
                <Table.Tr key={device.id}>
                  <Table.Td data-label="Name">
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {device.name}
                      </Text>
                      {device.current && (
                        <Badge variant="outline" size="sm" miw="max-content">
                          This device
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td data-label="Kind">{deviceKindLabel[device.kind]}</Table.Td>
                  <Table.Td data-label="Status">
                    <Badge variant="light" color={deviceStatusBadgeColor(device)} miw="max-content">
                      {deviceStatusText(device)}
                    </Badge>
                  </Table.Td>
                  <Table.Td data-label="Created">
                    <time dateTime={device.createdAt}>{formatDate(device.createdAt)}</time>
                  </Table.Td>
                  <Table.Td data-label="Last seen">
                    {device.lastSeenAt ? (
                      <time dateTime={device.lastSeenAt}>{formatDateTime(device.lastSeenAt)}</time>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td data-label="Approved until">
                    {device.approvedUntil ? (
                      <time dateTime={device.approvedUntil}>{formatDate(device.approvedUntil)}</time>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {pending && onApprove && (
                        <Button size="xs" onClick={() => onApprove(device)} disabled={busy}>
                          Approve
                        </Button>
                      )}
                      {pending && onDeny && (
                        <Button size="xs" variant="light" color="red" onClick={() => onDeny(device)} disabled={busy}>
                          Deny
                        </Button>
                      )}
                      {onRemove && device.status !== 'removed' && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => onRemove(device)}
                          disabled={busy}
                          aria-label={`Remove ${device.name}`}
                        >
                          Remove
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
