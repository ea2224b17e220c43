import { Navigate } from 'react-router';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { useSession, useSetupStatus } from '../lib/queries';

/** "/": first-run setup, the app, or finding a workspace. */
export function RootRedirect() {
  const setup = useSetupStatus();
  const session = useSession(setup.data?.needsSetup === false);

  const error = setup.error ?? session.error;
  if (error) {
    return (
      <PublicLayout>
        <ProblemAlert error={error} />
      </PublicLayout>
    );
  }
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;
  if (session.isSuccess) return <Navigate to={session.data ? '/app' : '/login'} replace />;
  return <Loading />;
}
