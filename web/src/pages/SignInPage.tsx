import { useEffect, useRef } from 'react';
import { Alert, Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { takePageAfterSignIn } from '../lib/afterSignIn';
import { api, ApiError, resetCsrfToken } from '../api';
import { PasswordField } from '../components/PasswordField';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { WorkspaceNotFound } from '../components/WorkspaceNotFound';
import { isNotFound, queryKeys, useWorkspace } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';

const fields = ['username', 'password'] as const;

/**
 * The Gatehouse sign-in page (/w/:slug/sign-in). The form shows at once: the workspace's name only fills
 * in the heading, so it is not waited for ("Sign in" until it arrives). An unknown workspace replaces the
 * form with the not-found message when the answer comes; other errors show above the form.
 */
export function SignInPage() {
  const { slug = '' } = useParams();
  const workspace = useWorkspace(slug);

  // Once the form is up and the browser idle, fetch the signed-in app's frame, so that signing in does not
  // wait for its code (App.tsx loads it lazily; this is the same chunk).
  useEffect(() => {
    const prefetch = () => void import('../components/AppLayout').catch(() => undefined);
    if (typeof window.requestIdleCallback !== 'function') {
      const timer = window.setTimeout(prefetch, 1_000);
      return () => window.clearTimeout(timer);
    }
    const handle = window.requestIdleCallback(prefetch, { timeout: 3_000 });
    return () => window.cancelIdleCallback(handle);
  }, []);

  return (
    <PublicLayout>
      {isNotFound(workspace.error) ? (
        <WorkspaceNotFound slug={slug} />
      ) : (
        <Stack>
          <ProblemAlert error={workspace.error} />
          <SignInForm slug={slug} name={workspace.isError ? slug : workspace.data?.name} />
        </Stack>
      )}
    </PublicLayout>
  );
}

function SignInForm({ slug, name }: { slug: string; name: string | undefined }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const form = useForm({
    initialValues: { username: params.get('username') ?? '', password: '' },
  });
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  // The page may arrive rendered by the server (prerender.tsx), and a person or a password manager may
  // fill the fields before the scripts take them over: what is in them counts, not the empty start.
  useEffect(() => {
    for (const [field, input] of [
      ['username', usernameRef.current],
      ['password', passwordRef.current],
    ] as const) {
      if (input?.value && input.value !== form.getValues()[field]) form.setFieldValue(field, input.value);
    }
    // Once, when the form first runs in the browser.
  }, []);

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
          {name === undefined ? 'Sign in' : `Sign in to ${name}`}
        </Title>
        <SsoRefusal slug={slug} name={name ?? slug} reason={params.get('sso')} />
        {params.get('ended') === 'session' && !signIn.error && (
          <Alert color="blue" variant="light" title="You were signed out">
            Your session ended: it timed out, was signed out elsewhere, or your access changed. Sign in again to
            continue.
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
          ref={usernameRef}
          {...form.getInputProps('username')}
        />
        <PasswordField
          label="Password"
          autoComplete="current-password"
          aria-required
          ref={passwordRef}
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

/**
 * Why a sign-in through the company's identity provider ended here (`?sso=` from the OIDC callback or the SAML assertion consumer service),
 * in words, with a way to try again at the IdP. Guests use the form below whatever happened.
 */
const SSO_REFUSALS: Record<string, { title: string; text: (name: string) => string }> = {
  denied: {
    title: 'Sign-in was cancelled',
    text: () => "Your company's sign-in service did not let the sign-in through (it was cancelled or refused there).",
  },
  idp_error: {
    title: 'Your company’s sign-in service reported an error',
    text: () => 'It could not complete the sign-in. Try again; if it keeps happening, tell your IT team.',
  },
  invalid_response: {
    title: 'The sign-in could not be verified',
    text: () =>
      "The answer from your company's sign-in service did not pass Gatehouse's checks, so nobody was signed in. Try again; if it keeps happening, tell your IT team.",
  },
  unavailable: {
    title: 'Single sign-on is not available',
    text: () =>
      "Your company's sign-in service cannot be reached, or single sign-on is not set up yet. Try again in a few minutes.",
  },
  email_unverified: {
    title: 'Your email address is not verified',
    text: (name) =>
      `Your company's sign-in service did not confirm that your email address is verified, so it cannot be matched to an account in ${name}. Ask an admin of ${name} for help.`,
  },
  domain_not_verified: {
    title: 'Your email address is not in this workspace’s domains',
    text: (name) =>
      `${name} only signs in people whose company email is in one of its verified domains. Ask an admin of ${name}.`,
  },
  not_provisioned: {
    title: 'You do not have an account here yet',
    text: (name) =>
      `Your company account is fine, but ${name} has no account for you. Ask an admin of ${name} to invite you.`,
  },
  guest: {
    title: 'Guests sign in with their Gatehouse username',
    text: () => 'This email belongs to a guest account, which does not use the company sign-in. Sign in below.',
  },
  invitation_expired: {
    title: 'Your invitation is no longer valid',
    text: (name) => `Your invitation to ${name} has expired or was revoked. Ask an admin of ${name} to send it again.`,
  },
  deactivated: {
    title: 'Your account is deactivated',
    text: (name) => `Your account in ${name} has been deactivated. Ask an admin of ${name} if you need access again.`,
  },
  // SAML (the ACS's reasons, besides those above).
  expired: {
    title: 'The sign-in took too long or was not started here',
    text: () => 'Gatehouse did not ask for this sign-in, or asked too long ago. Start again from here.',
  },
  replayed: {
    title: 'This sign-in was already used',
    text: () =>
      "The answer from your company's sign-in service had already been used once, so nobody was signed in. Start again from here.",
  },
  unsigned: {
    title: 'The sign-in was not signed by your company’s sign-in service',
    text: () =>
      "The answer carried no valid signature from your company's sign-in service, so nobody was signed in. Tell your IT team.",
  },
  assertion_expired: {
    title: 'The sign-in had expired',
    text: () =>
      "The answer from your company's sign-in service was outside its validity period (a clock may be wrong). Try again; if it keeps happening, tell your IT team.",
  },
  wrong_audience: {
    title: 'The sign-in was meant for another service',
    text: () => "Your company's sign-in service addressed this answer to another service. Tell your IT team.",
  },
  wrong_recipient: {
    title: 'The sign-in was meant for another address',
    text: () =>
      "Your company's sign-in service sent this answer for another address than this workspace's. Tell your IT team.",
  },
  wrong_issuer: {
    title: 'The sign-in came from another sign-in service',
    text: (name) => `The answer did not come from the sign-in service set up for ${name}. Tell your IT team.`,
  },
  email_missing: {
    title: 'Your email address was not sent',
    text: (name) =>
      `Your company's sign-in service did not send your email address, so it cannot be matched to an account in ${name}. Tell your IT team.`,
  },
};

function SsoRefusal({ slug, name, reason }: { slug: string; name: string; reason: string | null }) {
  if (!reason) return null;
  const refusal = SSO_REFUSALS[reason] ?? SSO_REFUSALS.idp_error!;
  return (
    <Alert color="red" variant="light" title={refusal.title}>
      <Stack gap="xs">
        <Text size="sm">{refusal.text(name)}</Text>
        <Button
          component="a"
          href={`/api/v1/workspaces/${encodeURIComponent(slug)}/sso/start`}
          variant="light"
          size="xs"
          fullWidth
        >
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
