import { Alert, Anchor, Button, Group, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { deviceKeys, devicesApi, type CurrentDevice, type CurrentDeviceState } from '../lib/devices';
import { formatDateTime } from '../lib/format';
import { useMe } from '../lib/me';
import { splitFieldProblems } from '../lib/problems';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';

/** While waiting for approval on another device, the page asks the server this often. */
const APPROVAL_POLL_MS = 2_000;

/**
 * Set up a trusted session (/app/trusted-session, SPEC §6): name this browser as a device, then verify
 * it with the emailed code or wait for approval on a trusted device.
 */
export function TrustedSessionPage() {
  const queryClient = useQueryClient();
  const state = useQuery({
    queryKey: deviceKeys.current,
    queryFn: devicesApi.current,
    refetchInterval: (query) => (query.state.data?.device?.status === 'pending_approval' ? APPROVAL_POLL_MS : false),
  });
  const status = state.data?.device?.status;
  const expired = state.data?.device?.approvalExpired ?? false;

  // The session (and with it the "not secure" notice) follows the device's status.
  useEffect(() => {
    if (status) void queryClient.invalidateQueries({ queryKey: queryKeys.session });
  }, [status, expired, queryClient]);

  return (
    <Stack maw={640}>
      <Title order={1}>Set up a trusted session</Title>
      {state.isPending ? (
        <Loading />
      ) : state.data ? (
        <DeviceStep state={state.data} />
      ) : (
        <ProblemAlert error={state.error} />
      )}
    </Stack>
  );
}

function DeviceStep({ state }: { state: CurrentDeviceState }) {
  const device = state.device;
  if (!device || device.status === 'denied' || device.status === 'removed') {
    return <NameDevice state={state} denied={device?.status === 'denied' ? device.name : null} />;
  }
  if (device.status === 'approved' && !device.approvalExpired) return <Trusted device={device} />;
  if (device.status === 'approved') return <ApprovalExpired device={device} />;
  if (device.status === 'pending_approval') return <WaitingForApproval device={device} />;
  return <VerifyCode device={device} />;
}

/** Puts the server's answer about this device into the cache, so the page moves to the next step. */
function useDeviceUpdate() {
  const queryClient = useQueryClient();
  return (device: CurrentDevice) => {
    queryClient.setQueryData<CurrentDeviceState>(deviceKeys.current, (old) =>
      old ? { ...old, device } : { device, suggestedName: '', hasTrustedDevice: false },
    );
    void queryClient.invalidateQueries({ queryKey: deviceKeys.current });
    void queryClient.invalidateQueries({ queryKey: deviceKeys.mine });
    void queryClient.invalidateQueries({ queryKey: queryKeys.session });
  };
}

function NameDevice({ state, denied }: { state: CurrentDeviceState; denied: string | null }) {
  const update = useDeviceUpdate();
  const form = useForm({ initialValues: { name: state.suggestedName } });
  const create = useMutation({
    mutationFn: (name: string) => devicesApi.create(name),
    onSuccess: ({ device }) => update(device),
    onError: (error) => form.setErrors(splitFieldProblems(error, ['name']).fieldErrors),
  });
  const other = splitFieldProblems(create.error, ['name']).other;
  const limitReached = create.error instanceof ApiError && create.error.problem.type.endsWith('/device-limit-reached');

  return (
    <form
      noValidate
      onSubmit={form.onSubmit(({ name }) => {
        form.clearErrors();
        create.mutate(name);
      })}
    >
      <Stack>
        <Text>
          Passwords and TOTP codes are only given to a trusted session. Name this device, then confirm it with a code we
          email you{state.hasTrustedDevice ? ', or approve it on one of your trusted devices' : ''}.
        </Text>
        {denied && (
          <Alert color="red" variant="light" title="This device was denied">
            &ldquo;{denied}&rdquo; was denied on one of your trusted devices. You can ask again.
          </Alert>
        )}
        {/* Field problems belong to the name field; other problems (the device limit) show here. */}
        {!form.errors.name && <ProblemAlert error={create.error} other={other} />}
        {limitReached && (
          <Anchor component={Link} to="/app/devices">
            Open My trusted devices
          </Anchor>
        )}
        <TextInput
          label="Name your device"
          description="How this browser is listed on My trusted devices."
          maxLength={100}
          aria-required
          {...form.getInputProps('name')}
        />
        <Group>
          <Button type="submit" loading={create.isPending}>
            Continue
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function VerifyCode({ device }: { device: CurrentDevice }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const update = useDeviceUpdate();
  const form = useForm({ initialValues: { code: '' } });
  const verify = useMutation({
    mutationFn: (code: string) => devicesApi.verify(code),
    onSuccess: (verified) => {
      toastSuccess('This device is now trusted');
      update(verified);
    },
    onError: (error) => {
      // A malformed code shows under the field; a wrong or dead one in the alert, with the tries left.
      if (error instanceof ApiError && error.status === 400) {
        form.setErrors(splitFieldProblems(error, ['code']).fieldErrors);
      }
      // The tries left changed on the server.
      void queryClient.invalidateQueries({ queryKey: deviceKeys.current });
    },
  });
  const resend = useMutation({
    mutationFn: devicesApi.sendCode,
    onSuccess: (sent) => {
      form.reset();
      verify.reset();
      toastSuccess(`A new code was sent to ${me.user.email}`);
      update(sent);
    },
  });

  return (
    <Stack>
      <Paper withBorder p="md" radius="md">
        <Text>
          We emailed a 6-digit code to <strong>{me.user.email}</strong> to confirm &ldquo;{device.name}&rdquo;.
        </Text>
        {device.code ? (
          <Text size="sm" c="dimmed" mt={4}>
            It works until {formatDateTime(device.code.expiresAt)}, for {device.code.triesLeft}{' '}
            {device.code.triesLeft === 1 ? 'more try' : 'more tries'}.
          </Text>
        ) : (
          <Text size="sm" c="dimmed" mt={4}>
            No code is waiting: send one.
          </Text>
        )}
      </Paper>
      <form
        noValidate
        onSubmit={form.onSubmit(({ code }) => {
          form.clearErrors();
          // As pasted from the mail: spaces around the digits are the mail's layout, not the code.
          verify.mutate(code.trim());
        })}
      >
        <Stack>
          {!form.errors.code && <ProblemAlert error={verify.error ?? resend.error} />}
          <TextInput
            label="Code"
            description="The 6 digits from the email."
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={12}
            w={220}
            aria-required
            {...form.getInputProps('code')}
          />
          <Group>
            <Button type="submit" loading={verify.isPending}>
              Verify code
            </Button>
            <Button variant="subtle" onClick={() => resend.mutate()} loading={resend.isPending}>
              Send a new code
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function WaitingForApproval({ device }: { device: CurrentDevice }) {
  const update = useDeviceUpdate();
  const fallBack = useMutation({ mutationFn: devicesApi.sendCode, onSuccess: update });
  return (
    <Stack>
      <Paper withBorder p="md" radius="md">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <Loader size="sm" mt={4} aria-hidden />
          <div>
            <Text fw={600}>Waiting for approval</Text>
            <Text size="sm" mt={4}>
              Open <strong>My trusted devices</strong> on one of your trusted devices and choose{' '}
              <strong>Approve</strong> next to &ldquo;{device.name}&rdquo;. This page continues by itself.
            </Text>
          </div>
        </Group>
      </Paper>
      <ProblemAlert error={fallBack.error} />
      <Group>
        <Button variant="default" onClick={() => fallBack.mutate()} loading={fallBack.isPending}>
          I don&apos;t have access to my trusted device
        </Button>
      </Group>
    </Stack>
  );
}

function ApprovalExpired({ device }: { device: CurrentDevice }) {
  const update = useDeviceUpdate();
  const renew = useMutation({ mutationFn: devicesApi.sendCode, onSuccess: update });
  return (
    <Stack>
      <Alert color="orange" variant="light" title="The approval of this device has expired">
        &ldquo;{device.name}&rdquo; must be confirmed again before it receives passwords or TOTP codes.
      </Alert>
      <ProblemAlert error={renew.error} />
      <Group>
        <Button onClick={() => renew.mutate()} loading={renew.isPending}>
          Email me a code
        </Button>
      </Group>
    </Stack>
  );
}

function Trusted({ device }: { device: CurrentDevice }) {
  return (
    <Stack>
      <Alert color="teal" variant="light" title="This session is trusted">
        &ldquo;{device.name}&rdquo; is one of your trusted devices
        {device.approvedUntil ? ` until ${formatDateTime(device.approvedUntil)}` : ''}.
      </Alert>
      <Group>
        <Anchor component={Link} to="/app/devices">
          My trusted devices
        </Anchor>
        <Anchor component={Link} to="/app">
          Back to the dashboard
        </Anchor>
      </Group>
    </Stack>
  );
}
