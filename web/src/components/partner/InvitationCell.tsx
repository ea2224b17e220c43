import { Stack, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { PartnerInvitation } from '../../api';
import { summarizeInvitation } from '../../lib/partners';

/** A member's invitation: its state, how the email fared, and when it expires. */
export function InvitationCell({ invitation }: { invitation: PartnerInvitation | null }) {
  if (!invitation) return <Text c="dimmed">—</Text>;
  const summary = summarizeInvitation(invitation);
  const label = (
    <Text size="sm" c={summary.color === 'red' ? 'red' : undefined} fw={500}>
      {summary.text}
      {summary.error && <VisuallyHidden>: {summary.error}</VisuallyHidden>}
    </Text>
  );
  return (
    <Stack gap={0}>
      {summary.error ? (
        <Tooltip label={summary.error} multiline w={320} withArrow>
          <span tabIndex={0} style={{ cursor: 'help', textDecoration: 'underline dotted', width: 'fit-content' }}>
            {label}
          </span>
        </Tooltip>
      ) : (
        label
      )}
      {summary.note && (
        <Text size="xs" c="dimmed">
          {summary.note}
        </Text>
      )}
    </Stack>
  );
}
