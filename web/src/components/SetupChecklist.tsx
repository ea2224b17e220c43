import { Badge, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Me } from '../api';
import { deviceKeys, devicesApi, type Device } from '../lib/devices';
import { useMe } from '../lib/me';

type StepState =
  { kind: 'done' } | { kind: 'todo'; action: string; to: string } | { kind: 'waiting'; label: string; to: string };

interface SetupStep {
  title: string;
  explanation: string;
  state: StepState;
}

function trustedSessionState(me: Me): StepState {
  if (me.assurance.trusted) return { kind: 'done' };
  const status = me.assurance.device?.status;
  if (status === 'pending_approval')
    return { kind: 'waiting', label: 'Waiting for approval', to: '/app/trusted-session' };
  if (status === 'pending_verification') return { kind: 'waiting', label: 'Code sent', to: '/app/trusted-session' };
  return { kind: 'todo', action: 'Set up a trusted session', to: '/app/trusted-session' };
}

/** Done once the person has a client app (the extension, the command line) approved as a device. */
function clientAppState(devices: Device[] | undefined): StepState {
  const installed = devices?.some((device) => device.kind !== 'browser' && device.status === 'approved');
  return installed ? { kind: 'done' } : { kind: 'todo', action: 'Install the client apps', to: '/app/client-apps' };
}

function setupSteps(me: Me, devices: Device[] | undefined): SetupStep[] {
  return [
    {
      title: 'Turn on MFA',
      explanation: 'Protect your sign-in with a second factor. You need it before you can use any shared account.',
      state: me.assurance.mfaEnabled ? { kind: 'done' } : { kind: 'todo', action: 'Turn on MFA', to: '/app/security' },
    },
    {
      title: 'Install the client apps',
      explanation: 'Get the browser extension and apps your company approved, so shared accounts fill in for you.',
      state: clientAppState(devices),
    },
    {
      title: 'Set up a trusted session',
      explanation: 'Confirm this device, so Gatehouse can deliver passwords and codes to it.',
      state: trustedSessionState(me),
    },
  ];
}

function StepStatus({ state, title }: { state: StepState; title: string }) {
  switch (state.kind) {
    case 'done':
      return (
        <Badge variant="light" color="teal" style={{ flexShrink: 0 }}>
          Done
        </Badge>
      );
    case 'todo':
      return (
        <Button component={Link} to={state.to} size="xs" variant="light" style={{ flexShrink: 0 }}>
          {state.action}
        </Button>
      );
    case 'waiting':
      return (
        <Button
          component={Link}
          to={state.to}
          size="xs"
          variant="subtle"
          aria-label={`${title}: ${state.label}`}
          style={{ flexShrink: 0 }}
        >
          {state.label}
        </Button>
      );
  }
}

/** "Set up your account": what a new user does after the first sign-in (SPEC §4 step 4). */
export function SetupChecklist() {
  const me = useMe();
  const devices = useQuery({ queryKey: deviceKeys.mine, queryFn: devicesApi.list });
  const steps = setupSteps(me, devices.data?.devices);
  const remaining = steps.filter((step) => step.state.kind !== 'done').length;
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="setup-checklist">
      <Title order={2} size="h3" id="setup-checklist">
        Set up your account
      </Title>
      <Text c="dimmed" size="sm" mt={4} mb="md">
        {remaining === 0
          ? 'All done: you can use the accounts shared with you.'
          : 'Three steps before you can use the accounts shared with you.'}
      </Text>
      <List listStyleType="none" spacing="md" aria-labelledby="setup-checklist">
        {steps.map((step, index) => (
          <List.Item key={step.title} styles={{ itemWrapper: { width: '100%' }, itemLabel: { width: '100%' } }}>
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="md">
              <Stack gap={2}>
                <Text fw={600}>
                  {index + 1}. {step.title}
                </Text>
                <Text size="sm" c="dimmed">
                  {step.explanation}
                </Text>
              </Stack>
              <StepStatus state={step.state} title={step.title} />
            </Group>
          </List.Item>
        ))}
      </List>
    </Card>
  );
}
