import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function WorkspaceNotFound({ slug }: { slug: string }) {
  return (
    <Stack>
      <Title order={1} size="h2">
        Workspace not found
      </Title>
      <Text>There is no workspace named “{slug}”. Check the name and try again.</Text>
      <Anchor component={Link} to="/login">
        Find your workspace
      </Anchor>
    </Stack>
  );
}
