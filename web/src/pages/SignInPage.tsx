import { Alert, Anchor, Button, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { takePageAfterSignIn } from '../lib/afterSignIn';
import { api, ApiError, resetCsrfToken } from '../api';
import { Loading } from '../components/Loading';
import { PasswordField } from '../components/PasswordField';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { WorkspaceNotFound } from '../components/WorkspaceNotFound';
import { isNotFound, queryKeys, useWorkspace } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';

const fields = ['username', 'password'] as const;

/** The Gatehouse sign-in page (/w/:slug/sign-in). */
export function SignInPage() {
  const { slug = '' } = useParams();
  const workspace = useWorkspace(slug);

  return (
    <PublicLayout>
      {workspace.isPending ? (
        <Loading />
      ) : isNotFound(workspace.error) ? (
        <WorkspaceNotFound slug={slug} />
      ) : (
        <Stack>
          <ProblemAlert error={workspace.error} />
          <SignInForm slug={slug} name={workspace.data?.name ?? slug} />
        </Stack>
      )}
    </PublicLayout>
  );
}

function SignInForm({ slug, name }: { slug: string; name: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const form = useForm({
    initialValues: { username: params.get('username') ?? '', password: '' },
  });

  const signIn = useMutation({
    mutationFn: (values: { username: string; password: string }) =>
      api.signIn({ workspace: slug, username: values.username.trim(), password: values.password }),
    onSuccess: (me) => {
      resetCsrfToken();
      queryClient.setQueryData(queryKeys.session, me);
      // With MFA on, the verification page comes next: "Signed in" is said once that is passed.
      if (!me.pending.secondFactor) toastSuccess('Signed in');
      navigate(takePageAfterSignIn(), { replace: true });
    },
    onError: (error) => {
      form.setErrors(splitFieldProblems(error, fields).fieldErrors);
      if (error instanceof ApiError && error.status === 401) form.setFieldValue('password', '');
    },
  });
  const other = splitFieldProblems(signIn.error, fields).other;

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        signIn.mutate(values);
      })}
    >
      <Stack>
        <Title order={1} size="h2">
          Sign in to {name}
        </Title>
        {params.get('sso') === 'unavailable' && (
          <Alert color="blue" variant="light">
            Single sign-on for members is not available yet. Guests sign in below.
          </Alert>
        )}
        <ProblemAlert error={signIn.error} other={other} />
        {signIn.error instanceof ApiError && signIn.error.problem.type.endsWith('/sign-in-with-idp') && (
          <Button component={Link} to={`/w/${slug}`} variant="light" fullWidth>
            Sign in with your company account
          </Button>
        )}
        <TextInput
          label="Username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          aria-required
          {...form.getInputProps('username')}
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          aria-required
          {...form.getInputProps('password')}
        />
        <Anchor
          component={Link}
          to={`/w/${slug}/forgot-password${form.values.username.trim() ? `?username=${encodeURIComponent(form.values.username.trim())}` : ''}`}
          size="sm"
          ta="right"
          mt={-8}
        >
          Forgot your password?
        </Anchor>
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign In
        </Button>
        <Anchor component={Link} to="/login" size="sm" ta="center">
          Not your workspace? Find another
        </Anchor>
      </Stack>
    </form>
  );
}
