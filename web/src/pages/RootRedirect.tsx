import { Navigate } from 'react-router';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { useSession, useSetupStatus } from '../lib/queries';

/** "/": first-run setup, the app, or finding a workspace. */
export function RootRedirect() {
  const setup = useSetupStatus();
  // Both questions at once rather than one after the other (one round trip less before the redirect):
  // before set-up there is no session to find, and the answer is simply "not signed in".
  const session = useSession();

  const error = setup.error ?? (setup.data?.needsSetup === false ? session.error : null);
  if (error) {
    return (
      <PublicLayout>
        <ProblemAlert error={error} />
      </PublicLayout>
    );
  }
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;
  if (setup.isSuccess && session.isSuccess) return <Navigate to={session.data ? '/app' : '/login'} replace />;
  return <Loading />;
}
