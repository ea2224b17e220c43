import { Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { ClientAppsPage } from './pages/ClientAppsPage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { ConnectPage } from './pages/ConnectPage';
import { ConfirmEmailPage } from './pages/ConfirmEmailPage';
import { AccountPage } from './pages/AccountPage';
import { AccountsPage } from './pages/AccountsPage';
import { ActivityPage } from './pages/ActivityPage';
import { DashboardPage } from './pages/DashboardPage';
import { DevOutboxPage } from './pages/DevOutboxPage';
import { LoginPage } from './pages/LoginPage';
import { MembersPage } from './pages/MembersPage';
import { MemberDevicesPage } from './pages/MemberDevicesPage';
import { NotFoundContent, NotFoundPage } from './pages/NotFoundPage';
import { PartnerMemberPage } from './pages/PartnerMemberPage';
import { PartnerPage } from './pages/PartnerPage';
import { PartnersPage } from './pages/PartnersPage';
import { RootRedirect } from './pages/RootRedirect';
import { SetupPage } from './pages/SetupPage';
import { JoinWorkspacePage } from './pages/JoinWorkspacePage';
import { SignInPage } from './pages/SignInPage';
import { TermsPage } from './pages/TermsPage';
import { WorkspaceSettingsPage } from './pages/WorkspaceSettingsPage';
import { TermsSettingsPage } from './pages/TermsSettingsPage';
import { WorkspaceWaitPage } from './pages/WorkspaceWaitPage';
import { SecurityPage } from './pages/SecurityPage';
import { TrustedDevicesPage } from './pages/TrustedDevicesPage';
import { TrustedSessionPage } from './pages/TrustedSessionPage';

export function App() {
  return (
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
        <Route path="members" element={<MembersPage />} />
        <Route path="members/:userId/devices" element={<MemberDevicesPage />} />
        <Route path="activity" element={<ActivityPage />} />
        <Route path="partners" element={<PartnersPage />} />
        <Route path="partners/:partnerId" element={<PartnerPage />} />
        <Route path="partners/:partnerId/members/:userId" element={<PartnerMemberPage />} />
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
  );
}
