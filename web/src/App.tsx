import { Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { ActivityPage } from './pages/ActivityPage';
import { DashboardPage } from './pages/DashboardPage';
import { LoginPage } from './pages/LoginPage';
import { MembersPage } from './pages/MembersPage';
import { NotFoundContent, NotFoundPage } from './pages/NotFoundPage';
import { RootRedirect } from './pages/RootRedirect';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { WorkspaceWaitPage } from './pages/WorkspaceWaitPage';

export function App() {
  return (
    <Routes>
      <Route path="/" element={<RootRedirect />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/w/:slug" element={<WorkspaceWaitPage />} />
      <Route path="/w/:slug/sign-in" element={<SignInPage />} />
      <Route path="/app" element={<AppLayout />}>
        <Route index element={<DashboardPage />} />
        <Route path="members" element={<MembersPage />} />
        <Route path="activity" element={<ActivityPage />} />
        <Route path="*" element={<NotFoundContent />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
