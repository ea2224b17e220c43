import { AppShell, Burger, Group } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Outlet, useLocation } from 'react-router';
import { rememberPageForAfterSignIn } from '../lib/afterSignIn';
import { MeContext } from '../lib/me';
import { rememberSignedInWorkspace, SESSION_ENDED_QUERY, signedInWorkspace } from '../lib/signedInWorkspace';
import { useSession } from '../lib/queries';
import { ChangePasswordPage } from '../pages/ChangePasswordPage';
import { DashboardPage } from '../pages/DashboardPage';
import { TermsPage } from '../pages/TermsPage';
import { SecondFactorPage } from '../pages/SecondFactorPage';
import { AppHeader } from './AppHeader';
import { AppNavbar } from './AppNavbar';
import { IdentityConfirmationHost } from './ConfirmIdentity';
import { Loading } from './Loading';
import { NotSecureNotice } from './NotSecureNotice';
import { ProblemAlert } from './ProblemAlert';
import { PublicLayout } from './PublicLayout';
import { TermsAgreementModal } from './TermsAgreementModal';

export { isWorkspaceAdmin, useMe } from '../lib/me';

/** The signed-in frame: header, navigation and the current page. Requires a session. */
export function AppLayout() {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname, search } = useLocation();

  if (session.isPending) return <Loading />;
  if (session.isError) {
    return (
      <PublicLayout>
        <ProblemAlert error={session.error} />
      </PublicLayout>
    );
  }
  if (!session.data) {
    rememberPageForAfterSignIn(pathname + search);
    const slug = signedInWorkspace();
    return <Navigate to={slug ? `/w/${encodeURIComponent(slug)}/sign-in?${SESSION_ENDED_QUERY}` : '/login'} replace />;
  }
  const me = session.data;
  rememberSignedInWorkspace(me.workspace.slug);

  // Pending steps (SPEC §2, §4): the server refuses everything else until they are done, so the app
  // shows only them, without the navigation: the second factor after the password, then Change Password
  // on every page, then the terms dialog over the dashboard (the terms text stays readable at /app/terms).
  const firstSignIn = me.pending.secondFactor || me.pending.passwordChange || me.pending.terms;
  // The owner's break-glass password sign-in of an idp workspace (SPEC §2b): MFA before anything else.
  const mfaFirst = !firstSignIn && me.assurance.mfaEnrolmentRequired;
  const gated = firstSignIn || mfaFirst;
  // Security is where MFA is turned on; the page stays mounted once it is on, to show the recovery codes.
  if (mfaFirst && !/^\/app\/security\/?$/.test(pathname)) return <Navigate to="/app/security" replace />;
  let page = <Outlet context={me} />;
  if (me.pending.secondFactor) page = <SecondFactorPage />;
  else if (me.pending.passwordChange) page = <ChangePasswordPage me={me} />;
  else if (me.pending.terms) {
    page = /^\/app\/terms\/?$/.test(pathname) ? (
      <TermsPage />
    ) : (
      <>
        <DashboardPage />
        <TermsAgreementModal />
      </>
    );
  }

  return (
    <MeContext value={me}>
      <AppShell
        header={{ height: 56 }}
        navbar={gated ? undefined : { width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="lg"
      >
        <AppShell.Header>
          <Group h="100%" px="md" gap="sm" wrap="nowrap">
            {!gated && (
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            )}
            <AppHeader me={me} />
          </Group>
        </AppShell.Header>
        {!gated && (
          <AppShell.Navbar p="sm" aria-label="Main">
            <AppNavbar role={me.user.role} onNavigate={close} />
          </AppShell.Navbar>
        )}
        <AppShell.Main>
          {!gated && !me.assurance.trusted && !/^\/app\/trusted-session\/?$/.test(pathname) && <NotSecureNotice />}
          {page}
        </AppShell.Main>
      </AppShell>
      <IdentityConfirmationHost />
    </MeContext>
  );
}
