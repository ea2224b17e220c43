import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, resetCsrfToken } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { SecondFactorForm } from '../components/SecondFactorForm';
import { sentence } from '../lib/format';
import { useMe } from '../lib/me';
import { mfaApi, useSecondFactorMethods } from '../lib/mfa';
import { verifyWithPasskey } from '../lib/passkeys';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';

/**
 * The verification page after the password (SPEC §2), shown by AppLayout while the session still owes
 * its second factor: the server refuses everything else until it is passed.
 */
export function SecondFactorPage() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const methods = useSecondFactorMethods();

  const leave = () => {
    resetCsrfToken();
    navigate(`/w/${encodeURIComponent(me.workspace.slug)}/sign-in`, { replace: true });
    queryClient.clear();
  };
  const signOut = useMutation({
    mutationFn: api.signOut,
    onSuccess: leave,
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) leave();
    },
  });

  return (
    <Stack maw={460} mx="auto" py="md">
      <div>
        <Title order={1}>Verify it&apos;s you</Title>
        <Text c="dimmed" mt={4}>
          {methods.data && !methods.data.totp && methods.data.passkey
            ? sentence(`Use your passkey or security key to finish signing in to ${me.workspace.name}`)
            : sentence(`Enter the code from your authenticator app to finish signing in to ${me.workspace.name}`)}
        </Text>
      </div>
      <Paper withBorder p="lg" radius="md">
        {methods.isPending ? (
          <Loading />
        ) : methods.data ? (
          <SecondFactorForm
            methods={methods.data}
            submit={mfaApi.passSecondFactor}
            passkey={() => verifyWithPasskey('sign-in')}
            onVerified={(renewed) => {
              // The session token was replaced: the old CSRF token went with it.
              resetCsrfToken();
              queryClient.setQueryData(queryKeys.session, renewed);
              toastSuccess('Signed in');
            }}
          />
        ) : (
          <ProblemAlert error={methods.error} />
        )}
      </Paper>
      <ProblemAlert error={signOut.error} />
      <Text size="sm" c="dimmed">
        Lost your phone and your recovery codes? Ask an administrator of {me.workspace.name} to reset your MFA.{' '}
        <Anchor component="button" type="button" size="sm" onClick={() => signOut.mutate()}>
          Cancel and return to sign-in
        </Anchor>
      </Text>
    </Stack>
  );
}
