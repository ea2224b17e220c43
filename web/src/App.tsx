import { lazy, Suspense, type ComponentType } from 'react';
import { Route, Routes } from 'react-router';
import { Loading } from './components/Loading';
import { LoginPage } from './pages/LoginPage';
import { NotFoundContent, NotFoundPage } from './pages/NotFoundPage';
import { RootRedirect } from './pages/RootRedirect';
import { SignInPage } from './pages/SignInPage';
import { WorkspaceWaitPage } from './pages/WorkspaceWaitPage';

/**
 * Route-level code splitting. The pages a visit usually starts on (/, /login, the workspace's waiting page
 * and its sign-in page, and the not-found page) are in the entry chunk, so they render without a second
 * round trip; every other page, and the whole signed-in app behind AppLayout, is a chunk of its own that
 * is fetched the first time its route is opened (the sign-in page prefetches the signed-in frame once it
 * is idle). Navigations run in a transition (React Router's default), so the current page stays on screen
 * while the next page's chunk arrives; only a first load shows the Suspense fallback.
 */
function page<K extends string>(
  load: () => Promise<Record<K, ComponentType>>,
  name: K,
): ReturnType<typeof lazy<ComponentType>> {
  return lazy(async () => ({ default: (await load())[name] }));
}

const AppLayout = page(() => import('./components/AppLayout'), 'AppLayout');
const AccessReviewPage = page(() => import('./pages/AccessReviewPage'), 'AccessReviewPage');
const AccessReviewsPage = page(() => import('./pages/AccessReviewsPage'), 'AccessReviewsPage');
const AccountPage = page(() => import('./pages/AccountPage'), 'AccountPage');
const AccountsPage = page(() => import('./pages/AccountsPage'), 'AccountsPage');
const ActivityPage = page(() => import('./pages/ActivityPage'), 'ActivityPage');
const ClientAppsPage = page(() => import('./pages/ClientAppsPage'), 'ClientAppsPage');
const ConfirmEmailPage = page(() => import('./pages/ConfirmEmailPage'), 'ConfirmEmailPage');
const ConnectPage = page(() => import('./pages/ConnectPage'), 'ConnectPage');
const DashboardPage = page(() => import('./pages/DashboardPage'), 'DashboardPage');
const DevOutboxPage = page(() => import('./pages/DevOutboxPage'), 'DevOutboxPage');
const ForgotPasswordPage = page(() => import('./pages/ForgotPasswordPage'), 'ForgotPasswordPage');
const JoinWorkspacePage = page(() => import('./pages/JoinWorkspacePage'), 'JoinWorkspacePage');
const MemberDevicesPage = page(() => import('./pages/MemberDevicesPage'), 'MemberDevicesPage');
const MembersPage = page(() => import('./pages/MembersPage'), 'MembersPage');
const PartnerMemberPage = page(() => import('./pages/PartnerMemberPage'), 'PartnerMemberPage');
const PartnerPage = page(() => import('./pages/PartnerPage'), 'PartnerPage');
const PartnersPage = page(() => import('./pages/PartnersPage'), 'PartnersPage');
const ResetPasswordPage = page(() => import('./pages/ResetPasswordPage'), 'ResetPasswordPage');
const SecurityPage = page(() => import('./pages/SecurityPage'), 'SecurityPage');
const SetupPage = page(() => import('./pages/SetupPage'), 'SetupPage');
const TermsPage = page(() => import('./pages/TermsPage'), 'TermsPage');
const TermsSettingsPage = page(() => import('./pages/TermsSettingsPage'), 'TermsSettingsPage');
const TrustedDevicesPage = page(() => import('./pages/TrustedDevicesPage'), 'TrustedDevicesPage');
const TrustedSessionPage = page(() => import('./pages/TrustedSessionPage'), 'TrustedSessionPage');
const WorkspaceSettingsPage = page(() => import('./pages/WorkspaceSettingsPage'), 'WorkspaceSettingsPage');

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<RootRedirect />} />
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/w/:slug" element={<WorkspaceWaitPage />} />
        <Route path="/w/:slug/sign-in" element={<SignInPage />} />
        <Route path="/email/confirm" element={<ConfirmEmailPage />} />
        <Route path="/w/:slug/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/w/:slug/reset-password" element={<ResetPasswordPage />} />
        <Route path="/w/:slug/join" element={<JoinWorkspacePage />} />
        <Route path="/app" element={<AppLayout />}>
          <Route index element={<DashboardPage />} />
          <Route path="accounts" element={<AccountsPage />} />
          <Route path="accounts/:accountId" element={<AccountPage />} />
          <Route path="accounts/:accountId/access-reviews/:reviewId" element={<AccessReviewPage />} />
          <Route path="members" element={<MembersPage />} />
          <Route path="members/:userId/devices" element={<MemberDevicesPage />} />
          <Route path="activity" element={<ActivityPage />} />
          <Route path="partners" element={<PartnersPage />} />
          <Route path="partners/:partnerId" element={<PartnerPage />} />
          <Route path="partners/:partnerId/members/:userId" element={<PartnerMemberPage />} />
          <Route path="partners/:partnerId/access-reviews" element={<AccessReviewsPage />} />
          <Route path="partners/:partnerId/access-reviews/:reviewId" element={<AccessReviewPage />} />
          <Route path="terms" element={<TermsPage />} />
          <Route path="settings/terms" element={<TermsSettingsPage />} />
          <Route path="settings/workspace" element={<WorkspaceSettingsPage />} />
          <Route path="security" element={<SecurityPage />} />
          <Route path="devices" element={<TrustedDevicesPage />} />
          <Route path="trusted-session" element={<TrustedSessionPage />} />
          <Route path="client-apps" element={<ClientAppsPage />} />
          <Route path="connect" element={<ConnectPage />} />
          <Route path="dev/outbox" element={<DevOutboxPage />} />
          <Route path="*" element={<NotFoundContent />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
