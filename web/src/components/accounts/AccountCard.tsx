import { Anchor, Avatar, Badge, Card, Group, Stack, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { itemRoleColor, itemRoleLabel, workspaceInitial, type AccountSummary } from '../../lib/accounts';

interface AccountCardProps {
  account: AccountSummary;
  /** For guests: the host workspace whose account this is (its initial is shown on the card). */
  hostWorkspace?: string;
}

/** One account the user can use: app, name and role; the name opens the account's page. */
export function AccountCard({ account, hostWorkspace }: AccountCardProps) {
  const headingId = `account-card-${account.id}`;
  return (
    <Card component="article" withBorder padding="md" aria-labelledby={headingId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4} miw={0}>
          <Text size="sm" c="dimmed" truncate>
            {account.appName || 'No app name'}
          </Text>
          <Anchor
            component={Link}
            to={`/app/accounts/${encodeURIComponent(account.id)}`}
            fw={600}
            id={headingId}
            style={{ overflowWrap: 'anywhere' }}
          >
            {account.name}
          </Anchor>
        </Stack>
        {hostWorkspace && (
          <Tooltip label={`Shared by ${hostWorkspace}`}>
            <Avatar radius="xl" size="sm" color="indigo" aria-label={`Shared by ${hostWorkspace}`} role="img">
              {workspaceInitial(hostWorkspace)}
            </Avatar>
          </Tooltip>
        )}
      </Group>
      <Group mt="sm" gap="xs">
        <Badge variant="light" color={itemRoleColor[account.role]}>
          {itemRoleLabel[account.role]}
        </Badge>
      </Group>
    </Card>
  );
}
