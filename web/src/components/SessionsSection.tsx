import { useState } from 'react';
import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { deviceKindLabel, type DeviceKind } from '../lib/devices';
import { formatDateTime } from '../lib/format';
import { sessionsApi, sessionsQueryKey, type OwnSession } from '../lib/sessions';
import { toastSuccess } from '../lib/toast';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import stacked from './StackedTable.module.css';

/** What a session is, in words: a connected client app by its device's name, otherwise the browser. */
function describe(session: OwnSession): string {
  if (session.clientApp) {
    const kind = deviceKindLabel[session.clientApp.kind as DeviceKind] ?? 'Client app';
    return `${session.clientApp.deviceName} (${kind.toLowerCase()})`;
  }
  return `${session.browser} on ${session.os}`;
}

/**
 * **Sessions** on the Security page (issue 11): where the person is signed in — each browser and each
 * connected client app — with **Sign out** for any of them and **Sign out everywhere else**.
 */
export function SessionsSection() {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: sessionsQueryKey, queryFn: sessionsApi.list });
  const [ending, setEnding] = useState<OwnSession | null>(null);
  const [endingOthers, setEndingOthers] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: sessionsQueryKey });

  const end = useMutation({
    mutationFn: (session: OwnSession) => sessionsApi.end(session.id),
    onSuccess: (_data, session) => {
      toastSuccess(`Signed out ${describe(session)}`);
      setEnding(null);
      refresh();
    },
  });
  const endOthers = useMutation({
    mutationFn: sessionsApi.endOthers,
    onSuccess: ({ ended }) => {
      toastSuccess(ended === 1 ? 'Signed out 1 other session' : `Signed out ${ended} other sessions`);
      setEndingOthers(false);
      refresh();
    },
  });

  const others = sessions.data?.sessions.filter((s) => !s.current) ?? [];
  return (
    <Stack component="section" aria-labelledby="sessions-heading" gap="sm">
      <Title order={2} id="sessions-heading">
        Sessions
      </Title>
      <Text c="dimmed" size="sm">
        Where you are signed in: each browser, and each browser extension or command line you connected.
      </Text>
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ProblemAlert error={sessions.error} />
      ) : (
        <Table.ScrollContainer minWidth={620} className={stacked.container}>
          <Table aria-labelledby="sessions-heading" className={stacked.table} verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Signed in on</Table.Th>
                <Table.Th scope="col">Address</Table.Th>
                <Table.Th scope="col">Started</Table.Th>
                <Table.Th scope="col">Last active</Table.Th>
                <Table.Th scope="col">
                  <Text span size="sm" fw={700}>
                    Action
                  </Text>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.sessions.map((session) => (
                <Table.Tr key={session.id}>
                  <Table.Td data-label="Signed in on">
                    <Group gap="xs">
                      <Text size="sm">{describe(session)}</Text>
                      {session.current && (
                        <Badge variant="light" color="teal">
                          This session
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td data-label="Address">{session.ip ?? '—'}</Table.Td>
                  <Table.Td data-label="Started">{formatDateTime(session.startedAt)}</Table.Td>
                  <Table.Td data-label="Last active">{formatDateTime(session.lastSeenAt)}</Table.Td>
                  <Table.Td>
                    {!session.current && (
                      <Button size="xs" variant="default" onClick={() => setEnding(session)}>
                        Sign out
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {others.length > 0 && (
        <Group>
          <Button variant="default" onClick={() => setEndingOthers(true)}>
            Sign out everywhere else
          </Button>
        </Group>
      )}
      <ConfirmModal
        opened={ending !== null}
        title="Sign out this session?"
        confirmLabel="Sign out"
        danger
        loading={end.isPending}
        error={end.error}
        onConfirm={() => ending && end.mutate(ending)}
        onClose={() => {
          setEnding(null);
          end.reset();
        }}
      >
        <Text>
          {ending ? describe(ending) : ''} is signed out at its next request. Signing in there again needs your password
          {ending?.clientApp ? ', or connecting the client app again' : ''}.
        </Text>
      </ConfirmModal>
      <ConfirmModal
        opened={endingOthers}
        title="Sign out everywhere else?"
        confirmLabel="Sign out everywhere else"
        danger
        loading={endOthers.isPending}
        error={endOthers.error}
        onConfirm={() => endOthers.mutate()}
        onClose={() => {
          setEndingOthers(false);
          endOthers.reset();
        }}
      >
        <Text>
          Every other browser and connected client app ({others.length}) is signed out at its next request. This session
          stays signed in.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
