import { Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, useLocation, useNavigate, useParams } from 'react-router';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { WorkspaceNotFound } from '../components/WorkspaceNotFound';
import { isNotFound, useWorkspace } from '../lib/queries';

/** The authentication waiting page (/w/:slug). */
export function WorkspaceWaitPage() {
  const { slug = '' } = useParams();
  const { search } = useLocation();
  const navigate = useNavigate();
  const workspace = useWorkspace(slug);
  const signInPath = `/w/${encodeURIComponent(slug)}/sign-in${search}`;

  if (workspace.data?.mode === 'local') return <Navigate to={signInPath} replace />;

  return (
    <PublicLayout>
      {workspace.isPending ? (
        <Loading />
      ) : isNotFound(workspace.error) ? (
        <WorkspaceNotFound slug={slug} />
      ) : workspace.isError ? (
        <Stack>
          <ProblemAlert error={workspace.error} />
          <Anchor component={Link} to="/login">
            Find your workspace
          </Anchor>
        </Stack>
      ) : (
        <Stack align="center" ta="center">
          <Title order={1} size="h2">
            {workspace.data.name}
          </Title>
          <Text>Signing you in with your company's identity provider…</Text>
          <Text c="dimmed" size="sm">
            Not part of the company? Guests sign in with their Gatehouse username.
          </Text>
          <Button variant="default" onClick={() => navigate(signInPath)}>
            Log in as a guest user
          </Button>
        </Stack>
      )}
    </PublicLayout>
  );
}
