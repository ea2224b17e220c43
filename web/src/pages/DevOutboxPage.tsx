import { Badge, Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import { AdminOnly } from '../components/AdminOnly';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { useDevOutbox, type DevOutboxMessage } from '../lib/devOutbox';
import { formatDateTime } from '../lib/format';

export function DevOutboxPage() {
  return (
    <Stack maw={960}>
      <Title order={1}>Development outbox</Title>
      <AdminOnly>
        <DevOutboxContent />
      </AdminOnly>
    </Stack>
  );
}

function DevOutboxContent() {
  // New mail shows up without reloading the page.
  const outbox = useDevOutbox(true, 5000);
  return (
    <>
      <Text c="dimmed">
        No SMTP server is configured (GATEHOUSE_SMTP_URL), so Gatehouse sends no email: the messages it would have sent
        are kept here for the workspace owner and admins.
      </Text>
      <ProblemAlert error={outbox.error} />
      {outbox.isPending ? (
        <Loading />
      ) : (
        outbox.data &&
        (outbox.data.messages.length === 0 ? (
          <Text c="dimmed">No messages yet.</Text>
        ) : (
          outbox.data.messages.map((message) => <MessageCard key={message.id} message={message} />)
        ))
      )}
    </>
  );
}

function MessageCard({ message }: { message: DevOutboxMessage }) {
  const headingId = `dev-outbox-${message.id}`;
  return (
    <Card withBorder component="article" aria-labelledby={headingId}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} size="h4" id={headingId}>
            {message.subject}
          </Title>
          <Badge variant="light" color={message.state === 'cancelled' || message.state === 'failed' ? 'gray' : 'blue'}>
            {message.state}
          </Badge>
        </Group>
        <Text size="sm">
          To: {message.to} · <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
        </Text>
        {message.text === null ? (
          <Text size="sm" c="dimmed">
            The body was removed (the message was cancelled).
          </Text>
        ) : (
          <Code block aria-label="Text body" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {message.text}
          </Code>
        )}
        {message.html !== null && (
          <iframe
            sandbox=""
            srcDoc={message.html}
            title={`HTML body: ${message.subject}`}
            style={{ width: '100%', height: 560, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4 }}
          />
        )}
      </Stack>
    </Card>
  );
}
