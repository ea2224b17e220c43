import { Alert, Anchor, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { connectApi, connectKeys, type ConnectRequest } from '../lib/connect';
import { deviceKeys } from '../lib/devices';
import { useMe } from '../lib/me';
import { splitFieldProblems } from '../lib/problems';

/**
 * Connect a client app (/app/connect?code=…, SPEC §7a): the signed-in person checks that the code is the
 * one their browser extension shows, sees the name the device will get, and approves or denies it.
 */
export function ConnectPage() {
  const [params, setParams] = useSearchParams();
  const code = params.get('code')?.trim() ?? '';
  const setCode = (next: string) => setParams(next ? { code: next } : {}, { replace: true });

  return (
    <Stack maw={640} gap="lg">
      {code ? <ConnectRequestStep code={code} setCode={setCode} /> : <EnterCode onCode={setCode} />}
    </Stack>
  );
}

function EnterCode({ onCode, problem }: { onCode: (code: string) => void; problem?: unknown }) {
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (value) => (value.trim() ? null : 'Enter the code your client app shows.') },
  });
  return (
    <>
      <Title order={1}>Connect a client app</Title>
      <Text>Enter the code the browser extension (or the command line) shows, to connect it to your account.</Text>
      <ProblemAlert error={problem} />
      <form noValidate onSubmit={form.onSubmit(({ code }) => onCode(code.trim().toUpperCase()))}>
        <Stack>
          <TextInput
            label="Code"
            description="Eight letters, like BCDF-GHJK."
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={20}
            w={260}
            aria-required
            {...form.getInputProps('code')}
          />
          <Group>
            <Button type="submit">Continue</Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}

function ConnectRequestStep({ code, setCode }: { code: string; setCode: (code: string) => void }) {
  const request = useQuery({
    queryKey: connectKeys.request(code),
    queryFn: () => connectApi.lookup(code),
    retry: false,
    // A decided request is gone from the server: keep showing what was decided.
    refetchOnWindowFocus: false,
  });
  if (request.isPending) return <Loading />;
  if (!request.data) {
    const notFound = request.error instanceof ApiError && request.error.status === 404;
    return notFound ? (
      <EnterCode onCode={setCode} problem={request.error} />
    ) : (
      <>
        <Title order={1}>Connect a client app</Title>
        <ProblemAlert error={request.error} />
        <Group>
          <Button variant="default" onClick={() => setCode('')}>
            Enter another code
          </Button>
        </Group>
      </>
    );
  }
  return <Decide request={request.data} />;
}

type Outcome = { decision: 'approved'; deviceName: string; waitsForCode: boolean } | { decision: 'denied' };

function Decide({ request }: { request: ConnectRequest }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { deviceName: request.deviceName } });
  const approve = useMutation({
    mutationFn: (deviceName: string) => connectApi.approve(request.userCode, deviceName),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: deviceKeys.mine }),
    onError: (error) => form.setErrors(splitFieldProblems(error, ['deviceName']).fieldErrors),
  });
  const deny = useMutation({ mutationFn: () => connectApi.deny(request.userCode) });
  const title = `Connect the ${request.clientAppName}`;

  const outcome: Outcome | null = approve.data
    ? {
        decision: 'approved',
        deviceName: approve.data.device.name,
        waitsForCode: approve.data.device.status === 'pending_verification',
      }
    : deny.isSuccess
      ? { decision: 'denied' }
      : null;
  if (outcome) return <Decided title={title} outcome={outcome} email={me.user.email} />;

  const refusedKind =
    approve.error instanceof ApiError && approve.error.problem.type.endsWith('/client-app-not-approved');
  const approvable = request.clientAppApproved && !refusedKind;
  const other = splitFieldProblems(approve.error, ['deviceName']).other;

  return (
    <>
      <Title order={1}>{title}</Title>
      <Text>
        Approve only if the {request.clientAppName} you are setting up shows this code. It will fill the accounts shared
        with you into their login pages, as <strong>{me.user.email}</strong>.
      </Text>
      <Paper withBorder radius="md" p="md">
        <Text size="sm">Code</Text>
        <Text ff="monospace" fz={32} fw={700} lts={2}>
          {request.userCode}
        </Text>
      </Paper>
      {!approvable ? (
        <Alert color="red" variant="light" role="alert" title="Client app not approved">
          Your workspace does not approve the {request.clientAppName}. A workspace admin can approve it under Workspace
          settings, in Approved client apps.
        </Alert>
      ) : (
        <Text size="sm">
          {request.approvesAtOnce
            ? 'This is a trusted session, so approving makes it one of your trusted devices at once.'
            : `This session is not a trusted session: after you approve, we email a code to ${me.user.email} to enter in the ${request.clientAppName}.`}
        </Text>
      )}
      <form
        noValidate
        onSubmit={form.onSubmit(({ deviceName }) => {
          form.clearErrors();
          approve.mutate(deviceName);
        })}
      >
        <Stack>
          {!form.errors.deviceName && (
            <ProblemAlert error={refusedKind ? null : (approve.error ?? deny.error)} other={other} />
          )}
          {approvable && (
            <TextInput
              label="Device name"
              description="How it is listed on My trusted devices."
              maxLength={100}
              aria-required
              {...form.getInputProps('deviceName')}
            />
          )}
          <Group>
            {approvable && (
              <Button type="submit" loading={approve.isPending} disabled={deny.isPending}>
                Approve
              </Button>
            )}
            <Button
              variant={approvable ? 'default' : 'filled'}
              color={approvable ? undefined : 'red'}
              onClick={() => deny.mutate()}
              loading={deny.isPending}
              disabled={approve.isPending}
            >
              Deny
            </Button>
          </Group>
        </Stack>
      </form>
    </>
  );
}

function Decided({ title, outcome, email }: { title: string; outcome: Outcome; email: string }) {
  return (
    <>
      <Title order={1}>{title}</Title>
      {outcome.decision === 'approved' ? (
        <Alert color="teal" variant="light" role="status" title="Approved">
          {outcome.waitsForCode
            ? `“${outcome.deviceName}” is connected. To make it a trusted device, enter the code we emailed to ${email} in it.`
            : `“${outcome.deviceName}” is connected and trusted. You can close this tab and go back to it.`}
        </Alert>
      ) : (
        <Alert color="gray" variant="light" role="status" title="Denied">
          The connection was denied, and the client app was told so. Nothing was connected.
        </Alert>
      )}
      <Text size="sm">
        Your devices are listed on{' '}
        <Anchor component={Link} to="/app/devices">
          My trusted devices
        </Anchor>
        .
      </Text>
    </>
  );
}
