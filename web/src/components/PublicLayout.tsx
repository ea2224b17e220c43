import { AppShell, Container, Group, Paper } from '@mantine/core';
import type { ReactNode } from 'react';
import { Brand } from './Brand';

/** The frame of the pages shown before signing in: a header and a centred card. */
export function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md">
          <Brand />
        </Group>
      </AppShell.Header>
      <AppShell.Main bg="var(--gatehouse-page-background)">
        <Container size={460} py="xl">
          <Paper withBorder shadow="sm" radius="md" p="xl">
            {children}
          </Paper>
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
