import { Button, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, resetCsrfToken, type ChangePasswordInput, type Me, type PasswordRuleId } from '../api';
import { Loading } from '../components/Loading';
import { PasswordField } from '../components/PasswordField';
import { PasswordPolicyList } from '../components/PasswordPolicyList';
import { ProblemAlert } from '../components/ProblemAlert';
import { sentence } from '../lib/format';
import { rulesNamedBy } from '../lib/passwordRules';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems, fieldMessages } from '../lib/problems';
import { toastSuccess } from '../lib/toast';

const fields = ['newPassword', 'newPasswordAgain', 'givenName', 'familyName'] as const;
const initialValues: ChangePasswordInput = { newPassword: '', newPasswordAgain: '', givenName: '', familyName: '' };

/** First sign-in: replace the temporary password and give your names (shown instead of any /app page). */
export function ChangePasswordPage({ me }: { me: Me }) {
  const policy = usePolicyQuery();
  return (
    <Stack maw={560} mx="auto" py="md">
      <div>
        <Title order={1}>Change Password</Title>
        <Text c="dimmed" mt={4}>
          {me.user.status === 'active' ? (
            // Back after a Reset password (by email from an admin, or handed on by the operator), not an invitation.
            <>
              Your password was reset. Replace the temporary password you were given with your own, and tell us your
              name.
            </>
          ) : (
            <>
              {sentence(`Welcome to ${me.workspace.name}`)} Choose your own password to replace the temporary one from
              your invitation, and tell us your name.
            </>
          )}
        </Text>
      </div>
      <Paper withBorder p="lg" radius="md">
        <ChangePasswordForm me={me} policy={policy} />
      </Paper>
    </Stack>
  );
}

function ChangePasswordForm({ me, policy }: { me: Me; policy: ReturnType<typeof usePolicyQuery> }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<ChangePasswordInput>({ initialValues });
  // The server-only rules its last refusal named, and the password it refused.
  const [refused, setRefused] = useState<{ password: string; rules: Set<PasswordRuleId> } | null>(null);

  const change = useMutation({
    mutationFn: (values: ChangePasswordInput) =>
      api.changePassword({ ...values, givenName: values.givenName.trim(), familyName: values.familyName.trim() }),
    onSuccess: (renewed) => {
      resetCsrfToken();
      queryClient.setQueryData(queryKeys.session, renewed);
      toastSuccess('Password changed');
      navigate('/app', { replace: true });
    },
    onError: (error, values) => {
      const { fieldErrors } = splitFieldProblems(error, fields);
      // Several rules can fail at once: show each under the field, not only the first.
      for (const field of ['newPassword', 'newPasswordAgain'] as const) {
        const messages = fieldMessages(error, field);
        if (messages.length > 0) fieldErrors[field] = messages.join(' ');
      }
      form.setErrors(fieldErrors);
      setRefused({ password: values.newPassword, rules: rulesNamedBy(fieldMessages(error, 'newPassword')) });
    },
  });
  const other = splitFieldProblems(change.error, fields).other;
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
        <ProblemAlert error={change.error} other={other} />
        <PasswordField
          label="New Password"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('newPassword')}
        />
        <PasswordField
          label="Enter New Password Again"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('newPasswordAgain')}
        />
        {policy.isPending ? (
          <Loading label="Loading the password policy…" />
        ) : policy.data ? (
          <PasswordPolicyList
            policy={policy.data}
            password={password}
            email={me.user.email}
            failedOnServer={failedOnServer}
          />
        ) : (
          <ProblemAlert error={policy.error} />
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput label="Name" autoComplete="given-name" aria-required {...form.getInputProps('givenName')} />
          <TextInput
            label="Family Name"
            autoComplete="family-name"
            aria-required
            {...form.getInputProps('familyName')}
          />
        </SimpleGrid>
        <Button type="submit" loading={change.isPending} fullWidth>
          Send
        </Button>
      </Stack>
    </form>
  );
}

function usePolicyQuery() {
  return useQuery({ queryKey: queryKeys.passwordPolicy, queryFn: api.getPasswordPolicy, staleTime: Infinity });
}
