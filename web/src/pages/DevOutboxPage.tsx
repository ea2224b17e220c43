import { Badge, Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
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
          {/* Never shrunk: a long subject on a phone cut it to "S…". */}
          <Badge
            variant="light"
            color={message.state === 'cancelled' || message.state === 'failed' ? 'gray' : 'blue'}
            style={{ flex: 'none' }}
          >
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
        {message.html !== null && <HtmlBody html={message.html} title={`HTML body: ${message.subject}`} />}
      </Stack>
    </Card>
  );
}

/**
 * The mail's HTML part as a mail reader shows it, in a frame as tall as the mail (no scrolling inside it).
 * The frame runs no script and sends no form (sandbox without allow-scripts or allow-forms); it keeps the
 * page's origin (allow-same-origin) so that the page can read its height, and so that it is drawn with the
 * page: in a frame of its own origin Chromium drew it in another process, and on a phone it showed blank.
 */
function HtmlBody({ html, title }: { html: string; title: string }) {
  const frameRef = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(560);
  useEffect(() => {
    const frame = frameRef.current;
    if (!frame) return;
    const fit = () => {
      const root = frame.contentDocument?.documentElement;
      if (root) setHeight(Math.ceil(root.getBoundingClientRect().height));
    };
    fit();
    frame.addEventListener('load', fit);
    // A narrower frame (a phone, a turned phone) wraps the mail onto more lines.
    const resized = new ResizeObserver(fit);
    resized.observe(frame);
    return () => {
      frame.removeEventListener('load', fit);
      resized.disconnect();
    };
  }, [html]);
  return (
    <iframe
      ref={frameRef}
      sandbox="allow-same-origin"
      srcDoc={html}
      title={title}
      style={{
        display: 'block',
        boxSizing: 'content-box',
        width: 'calc(100% - 2px)',
        height,
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 4,
      }}
    />
  );
}
