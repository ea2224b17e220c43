import { Alert, Anchor, Badge, Button, Card, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { isWorkspaceAdmin, useMe } from '../lib/me';
import {
  approvedClientAppsKey,
  clientAppLabels,
  workspaceSettingsApi,
  type ClientAppKind,
} from '../lib/workspaceSettings';

/** Where the server serves the built extension (SPEC §7a). */
const EXTENSION_DOWNLOAD = '/downloads/gatehouse-extension.zip';

const CLIENT_APPS: readonly ClientAppKind[] = ['extension', 'cli'];

/** Install the client apps (/app/client-apps, SPEC §7a): what the extension does, its download, how to load it. */
export function ClientAppsPage() {
  const approved = useQuery({ queryKey: approvedClientAppsKey, queryFn: workspaceSettingsApi.approvedClientApps });
  return (
    <Stack maw={720} gap="lg">
      <Stack gap="sm">
        <Title order={1}>Install the client apps</Title>
        <Text c="dimmed">
          Client apps sign you in to the accounts shared with you without ever showing you their passwords.
        </Text>
      </Stack>
      {approved.isPending ? (
        <Loading />
      ) : approved.data ? (
        <ClientApps approved={approved.data.approvedClientApps} />
      ) : (
        <ProblemAlert error={approved.error} />
      )}
    </Stack>
  );
}

function ClientApps({ approved }: { approved: ClientAppKind[] }) {
  const me = useMe();
  const extensionApproved = approved.includes('extension');
  return (
    <>
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="approved-client-apps">
        <Title order={2} size="h3" id="approved-client-apps">
          Approved in {me.workspace.name}
        </Title>
        <List listStyleType="none" spacing="xs" mt="sm" aria-labelledby="approved-client-apps">
          {CLIENT_APPS.map((kind) => (
            <List.Item key={kind}>
              <Group gap="sm">
                <Text>{clientAppLabels[kind]}</Text>
                {approved.includes(kind) ? (
                  <Badge variant="light" color="teal">
                    Approved
                  </Badge>
                ) : (
                  <Badge variant="light" color="gray">
                    Not approved
                  </Badge>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
        <Text size="sm" c="dimmed" mt="sm">
          {isWorkspaceAdmin(me) ? (
            <>
              Change which client apps are approved in{' '}
              <Anchor component={Link} to="/app/settings/workspace">
                Workspace settings
              </Anchor>
              .
            </>
          ) : (
            'Your workspace admins decide which client apps are approved.'
          )}
        </Text>
      </Card>

      <Stack gap="sm" component="section" aria-labelledby="browser-extension">
        <Title order={2} id="browser-extension">
          Browser extension
        </Title>
        <Text>
          The Gatehouse extension for Chrome, Edge and Brave fills the username, password and TOTP code of the accounts
          shared with you into their login pages. It never shows you the password: it asks Gatehouse for it at the
          moment it fills the form, and forgets it right after. It only fills pages whose domain matches the
          account&apos;s login URL.
        </Text>
        {extensionApproved ? (
          <ExtensionInstructions />
        ) : (
          <Alert color="yellow" variant="light" title="Not approved in your workspace">
            Your workspace has not approved the browser extension, so it cannot be connected.{' '}
            {isWorkspaceAdmin(me)
              ? 'Approve it under Workspace settings, in Approved client apps.'
              : 'A workspace admin can approve it under Workspace settings.'}
          </Alert>
        )}
      </Stack>

      <Stack gap="sm" component="section" aria-labelledby="command-line">
        <Title order={2} id="command-line">
          Command line
        </Title>
        <Text>
          {approved.includes('cli')
            ? 'Your workspace approves the command line. There is no command-line client app to download yet.'
            : 'Your workspace has not approved the command line.'}
        </Text>
      </Stack>
    </>
  );
}

function ExtensionInstructions() {
  return (
    <>
      <Group>
        <Button component="a" href={EXTENSION_DOWNLOAD} download="gatehouse-extension.zip">
          Download the browser extension
        </Button>
      </Group>
      <Title order={3} size="h4" id="load-extension">
        Load it in Chrome, Edge or Brave
      </Title>
      <List type="ordered" withPadding spacing="xs" aria-labelledby="load-extension">
        <List.Item>
          Unzip gatehouse-extension.zip into a folder you keep: the browser loads the extension from it.
        </List.Item>
        <List.Item>
          Open <Code>chrome://extensions</Code> in Chrome, <Code>edge://extensions</Code> in Edge or{' '}
          <Code>brave://extensions</Code> in Brave (type it in the address bar).
        </List.Item>
        <List.Item>
          Turn on <strong>Developer mode</strong>.
        </List.Item>
        <List.Item>
          Choose <strong>Load unpacked</strong> and pick the folder you unzipped.
        </List.Item>
        <List.Item>
          Open the extension from the toolbar and enter this Gatehouse address: <Code>{window.location.origin}</Code>.
        </List.Item>
      </List>
    </>
  );
}
