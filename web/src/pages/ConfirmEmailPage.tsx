import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError, type EmailChangeLookup } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { queryKeys } from '../lib/queries';

const signInPath = (slug: string, username: string) =>
  `/w/${encodeURIComponent(slug)}/sign-in?${new URLSearchParams({ username }).toString()}`;

const isBadLink = (error: unknown) => error instanceof ApiError && (error.status === 404 || error.status === 400);

/**
 * The **Confirm email address** link's page (/email/confirm?token=…, SPEC §2a), opened from the mail sent
 * to the new address, signed in or not: it shows the change, and confirming it makes the new address the
 * person's email and username (they are signed out everywhere and sign in again with it).
 */
export function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const change = useQuery({
    queryKey: ['email-change', token],
    queryFn: () => api.getEmailChange(token),
    enabled: token !== '',
    retry: (count, error) => !isBadLink(error) && count < 2,
  });

  return (
    <PublicLayout>
      {token === '' || (change.isError && isBadLink(change.error)) ? (
        <Stack>
          <Title order={1} size="h2">
            This link does not work
          </Title>
          <Text size="sm">
            Open the whole link from the most recent email about your new address. If it still does not work, ask an
            administrator of your workspace to send a new one.
          </Text>
        </Stack>
      ) : change.isPending ? (
        <Loading />
      ) : change.isError ? (
        <Stack>
          <Title order={1} size="h2">
            Could not open this link
          </Title>
          <ProblemAlert error={change.error} />
          <Group>
            <Button variant="default" onClick={() => void change.refetch()}>
              Try again
            </Button>
          </Group>
        </Stack>
      ) : (
        <EmailChange token={token} change={change.data} />
      )}
    </PublicLayout>
  );
}

function EmailChange({ token, change }: { token: string; change: EmailChangeLookup }) {
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => api.confirmEmailChange(token),
    onSuccess: async () => {
      // Every session of the person ended, this browser's too if it was theirs.
      await queryClient.invalidateQueries({ queryKey: queryKeys.session });
    },
    // Used, withdrawn or expired meanwhile: the page shows the link's state as it now is.
    onError: () => queryClient.invalidateQueries({ queryKey: ['email-change', token] }),
  });
  const { workspace } = change;

  if (confirm.data || change.state === 'confirmed') {
    const email = confirm.data?.email ?? change.currentEmail;
    return (
      <Stack>
        <Title order={1} size="h2">
          Email address confirmed
        </Title>
        <Text role="status">
          Your email is now <strong>{email}</strong>. Sign in to {workspace.name} with it as your username; your
          password, authenticator app and passkeys stay the same.
        </Text>
        <Group>
          <Button component={Link} to={signInPath(workspace.slug, email)}>
            Sign in
          </Button>
        </Group>
      </Stack>
    );
  }

  if (change.state !== 'pending') {
    return (
      <Stack>
        <Title order={1} size="h2">
          {change.state === 'expired' ? 'This link has expired' : 'This link no longer works'}
        </Title>
        <Text size="sm">
          {change.state === 'expired'
            ? 'Links to confirm a new email address last 24 hours.'
            : 'A newer change of this email address was asked for, or this one was withdrawn.'}{' '}
          Nothing was changed: you still sign in to {workspace.name} with <strong>{change.currentEmail}</strong>. Ask an
          administrator to send a new link if the change is still wanted.
        </Text>
      </Stack>
    );
  }

  return (
    <Stack>
      <Title order={1} size="h2">
        Confirm your new email address
      </Title>
      <Text size="sm">
        {change.displayName}, your email address in <strong>{workspace.name}</strong> changes:
      </Text>
      <Stack gap={4} component="dl" m={0}>
        <Text component="dt" size="sm" c="dimmed">
          From
        </Text>
        <Text component="dd" m={0} fw={500} style={{ overflowWrap: 'anywhere' }}>
          {change.currentEmail}
        </Text>
        <Text component="dt" size="sm" c="dimmed" mt="xs">
          To
        </Text>
        <Text component="dd" m={0} fw={500} style={{ overflowWrap: 'anywhere' }}>
          {change.newEmail}
        </Text>
      </Stack>
      <Text size="sm">
        You will then sign in with {change.newEmail} as your username, and you will be signed out everywhere. Your
        password, authenticator app and passkeys stay the same.
      </Text>
      <ProblemAlert error={confirm.error} />
      <Group>
        <Button loading={confirm.isPending} onClick={() => confirm.mutate()}>
          Confirm email address
        </Button>
      </Group>
    </Stack>
  );
}
