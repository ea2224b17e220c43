import { AppShell, Burger, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Outlet, useOutletContext } from 'react-router';
import type { Me } from '../api';
import { useSession } from '../lib/queries';
import { AppHeader } from './AppHeader';
import { AppNavbar } from './AppNavbar';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { PublicLayout } from './PublicLayout';

/** The signed-in frame: header, navigation and the current page. Requires a session. */
export function AppLayout() {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);

  if (session.isPending) return <Loading />;
  if (session.isError) {
    return (
      <PublicLayout>
        <ProblemAlert error={session.error} />
      </PublicLayout>
    );
  }
  if (!session.data) return <Navigate to="/login" replace />;
  const me = session.data;

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm" wrap="nowrap">
          <Burger
            opened={opened}
            onClick={toggle}
            hiddenFrom="sm"
            size="sm"
            aria-label="Toggle navigation"
          />
          <AppHeader me={me} />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <AppNavbar role={me.user.role} onNavigate={close} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet context={me} />
      </AppShell.Main>
    </AppShell>
  );
}

/** The signed-in user, for pages rendered inside AppLayout. */
export function useMe(): Me {
  return useOutletContext<Me>();
}

export function isWorkspaceAdmin(me: Me): boolean {
  return me.user.role === 'owner' || me.user.role === 'admin';
}
