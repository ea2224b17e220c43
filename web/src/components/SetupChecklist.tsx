import { Badge, Card, Group, List, Stack, Text, Title } from '@mantine/core';

interface SetupStep {
  title: string;
  explanation: string;
}

// The steps themselves arrive with MFA and trusted sessions; until then each says so instead of pretending.
const steps: SetupStep[] = [
  {
    title: 'Turn on MFA',
    explanation: 'Protect your sign-in with a second factor. You need it before you can use any shared account.',
  },
  {
    title: 'Install the client apps',
    explanation: 'Get the browser extension and apps your company approved, so shared accounts fill in for you.',
  },
  {
    title: 'Set up a trusted session',
    explanation: 'Confirm this device, so Gatehouse can deliver passwords and codes to it.',
  },
];

/** "Set up your account": what a new user does after the first sign-in (SPEC §4 step 4). */
export function SetupChecklist() {
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="setup-checklist">
      <Title order={2} size="h3" id="setup-checklist">
        Set up your account
      </Title>
      <Text c="dimmed" size="sm" mt={4} mb="md">
        Three steps before you can use the accounts shared with you.
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
              <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                Coming soon
              </Badge>
            </Group>
          </List.Item>
        ))}
      </List>
    </Card>
  );
}
