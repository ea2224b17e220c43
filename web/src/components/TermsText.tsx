import { Text } from '@mantine/core';

/** The terms as written: plain text, its line breaks kept. */
export function TermsText({ body }: { body: string }) {
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {body}
    </Text>
  );
}
