import { Alert, Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { WorkspaceNotFound } from '../components/WorkspaceNotFound';
import { splitFieldProblems } from '../lib/problems';
import { isNotFound, useWorkspace } from '../lib/queries';

const fields = ['email'] as const;

/**
 * **Forgot your password?** (/w/:slug/forgot-password, SPEC §2a): the address to send a reset link to.
 * The answer is the same whether or not the address has an account, so the page says only that.
 */
export function ForgotPasswordPage() {
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
          <ForgotPasswordForm slug={slug} name={workspace.data?.name ?? slug} />
        </Stack>
      )}
    </PublicLayout>
  );
}

function ForgotPasswordForm({ slug, name }: { slug: string; name: string }) {
  const [params] = useSearchParams();
  const form = useForm({
    initialValues: { email: params.get('username') ?? '' },
    validate: { email: (value) => (value.trim() ? null : 'Enter your email address.') },
  });
  const send = useMutation({
    mutationFn: (email: string) => api.forgotPassword(slug, email),
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const signInUrl = `/w/${slug}/sign-in`;

  if (send.isSuccess) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Check your email
        </Title>
        <Alert color="blue" variant="light" role="status">
          {send.data.message}
        </Alert>
        <Text size="sm" c="dimmed">
          No email after a few minutes? Check the address you typed, or ask an administrator of {name}. If your company
          signs you in, the email tells you where to go instead.
        </Text>
        <Button component={Link} to={signInUrl} variant="default" fullWidth>
          Back to sign in
        </Button>
      </Stack>
    );
  }

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        send.mutate(values.email.trim());
      })}
    >
      <Stack>
        <Title order={1} size="h2">
          Forgot your password?
        </Title>
        <Text size="sm">
          Type the email address you sign in to {name} with. We will send you a link to choose a new password.
        </Text>
        <ProblemAlert error={send.error} other={splitFieldProblems(send.error, fields).other} />
        <TextInput
          label="Email"
          description="Guests: your username is your email address."
          type="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          aria-required
          {...form.getInputProps('email')}
        />
        <Button type="submit" loading={send.isPending} fullWidth>
          Send reset link
        </Button>
        <Anchor component={Link} to={signInUrl} size="sm" ta="center">
          Back to sign in
        </Anchor>
      </Stack>
    </form>
  );
}
