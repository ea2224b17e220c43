import { useState } from 'react';
import { Alert, Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError, type PasswordRuleId, type ResetLinkLookup } from '../api';
import { Loading } from '../components/Loading';
import { PasswordField } from '../components/PasswordField';
import { PasswordPolicyList } from '../components/PasswordPolicyList';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { errorMessage, splitFieldProblems, fieldMessages } from '../lib/problems';
import { rulesNamedBy } from '../lib/passwordRules';

const FIELDS = ['newPassword', 'newPasswordAgain'] as const;
const INCOMPLETE = 'This reset link is not complete. Open the whole link from the email, or ask for a new one.';
type Values = Record<(typeof FIELDS)[number], string>;

const isLinkProblem = (error: unknown) =>
  error instanceof ApiError && error.problem.type.endsWith('/reset-link-invalid');

/**
 * The page a reset link opens (/w/:slug/reset-password?token=…, SPEC §2a): a new password twice, with
 * the workspace's rules as a live checklist. It signs nobody in: once changed, it offers **Sign in**.
 */
export function ResetPasswordPage() {
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const link = useQuery({
    queryKey: ['reset-link', token],
    queryFn: () => api.lookupResetLink(token),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  });

  let content;
  if (!token) content = <LinkNotUsable slug={slug} detail={INCOMPLETE} />;
  else if (link.isPending) content = <Loading label="Checking your reset link…" />;
  else if (link.error) {
    content = isLinkProblem(link.error) ? (
      <LinkNotUsable slug={slug} detail={errorMessage(link.error)} />
    ) : link.error instanceof ApiError && link.error.status === 400 ? (
      <LinkNotUsable slug={slug} detail={INCOMPLETE} />
    ) : (
      <ProblemAlert error={link.error} />
    );
  } else if (link.data.state === 'used') {
    content = (
      <LinkNotUsable
        slug={link.data.workspace.slug}
        title="This reset link was already used"
        detail="Each link works once. Sign in with the password you chose, or ask for a new link."
        username={link.data.username}
        used
      />
    );
  } else if (link.data.state === 'expired') {
    content = (
      <LinkNotUsable
        slug={link.data.workspace.slug}
        title="This reset link has expired"
        detail="A link works for 30 minutes, and only the newest one you asked for works. Ask for a new link."
        username={link.data.username}
      />
    );
  } else {
    content = <ResetPasswordForm token={token} link={link.data} />;
  }
  return <PublicLayout>{content}</PublicLayout>;
}

function LinkNotUsable({
  slug,
  title = 'This reset link does not work',
  detail,
  username,
  used = false,
}: {
  slug: string;
  title?: string;
  detail: string;
  username?: string;
  used?: boolean;
}) {
  const query = username ? `?username=${encodeURIComponent(username)}` : '';
  const newLink = `/w/${slug}/forgot-password${query}`;
  const signIn = `/w/${slug}/sign-in${query}`;
  return (
    <Stack>
      <Title order={1} size="h2">
        {title}
      </Title>
      <Alert color="yellow" variant="light">
        {detail}
      </Alert>
      {/* After a used link, signing in is what most people came for; otherwise a new link is. */}
      <Button component={Link} to={used ? signIn : newLink} fullWidth>
        {used ? 'Sign in' : 'Send a new link'}
      </Button>
      <Anchor component={Link} to={used ? newLink : signIn} size="sm" ta="center">
        {used ? 'Send a new link' : 'Sign in'}
      </Anchor>
    </Stack>
  );
}

function ResetPasswordForm({ token, link }: { token: string; link: ResetLinkLookup }) {
  const form = useForm<Values>({ initialValues: { newPassword: '', newPasswordAgain: '' } });
  // The server-only rules its last refusal named, and the password it refused.
  const [refused, setRefused] = useState<{ password: string; rules: Set<PasswordRuleId> } | null>(null);
  const change = useMutation({
    mutationFn: (values: Values) => api.resetPassword({ token, ...values }),
    onError: (error, values) => {
      const { fieldErrors } = splitFieldProblems(error, FIELDS);
      for (const field of FIELDS) {
        const messages = fieldMessages(error, field);
        if (messages.length > 0) fieldErrors[field] = messages.join(' ');
      }
      form.setErrors(fieldErrors);
      setRefused({ password: values.newPassword, rules: rulesNamedBy(fieldMessages(error, 'newPassword')) });
    },
  });
  const signIn = `/w/${link.workspace.slug}/sign-in?username=${encodeURIComponent(link.username)}`;

  if (change.isSuccess) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Your password was changed
        </Title>
        <Alert color="teal" variant="light" role="status">
          You were signed out everywhere, client apps included. Sign in with your new password; you will still be asked
          for your second factor.
        </Alert>
        <Button component={Link} to={signIn} fullWidth>
          Sign in
        </Button>
      </Stack>
    );
  }
  if (isLinkProblem(change.error)) {
    return <LinkNotUsable slug={link.workspace.slug} detail={errorMessage(change.error)} username={link.username} />;
  }

  const other = splitFieldProblems(change.error, FIELDS).other;
  const fieldProblem = FIELDS.some((field) => form.errors[field]);
  const password = form.values.newPassword;
  const failedOnServer = refused && refused.password === password ? refused.rules : new Set<PasswordRuleId>();
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        change.mutate(values);
      })}
    >
      <Stack>
        <div>
          <Title order={1} size="h2">
            Choose a new password
          </Title>
          <Text size="sm" mt={4}>
            For <strong>{link.username}</strong> in {link.workspace.name}. Every session of yours will be signed out.
          </Text>
        </div>
        {!fieldProblem && <ProblemAlert error={change.error} other={other} />}
        {/* For password managers: the account this new password belongs to. */}
        <input type="text" name="username" autoComplete="username" value={link.username} readOnly hidden />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('newPassword')}
        />
        <PasswordField
          label="Confirm new password"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('newPasswordAgain')}
        />
        <PasswordPolicyList
          policy={link.policy}
          password={password}
          email={link.username}
          failedOnServer={failedOnServer}
        />
        <Button type="submit" loading={change.isPending} fullWidth>
          Set new password
        </Button>
      </Stack>
    </form>
  );
}
