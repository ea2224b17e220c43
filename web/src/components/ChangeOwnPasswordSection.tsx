import { useState } from 'react';
import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, client, type PasswordRuleId } from '../api';
import { useMe } from '../lib/me';
import { splitFieldProblems, fieldMessages } from '../lib/problems';
import { queryKeys } from '../lib/queries';
import { sessionsQueryKey } from '../lib/sessions';
import { toastSuccess } from '../lib/toast';
import { useIdentityConfirmation } from './ConfirmIdentity';
import { Loading } from './Loading';
import { PasswordField } from './PasswordField';
import { PasswordPolicyList } from './PasswordPolicyList';
import { ProblemAlert } from './ProblemAlert';

const FIELDS = ['currentPassword', 'newPassword', 'newPasswordAgain'] as const;
type Values = Record<(typeof FIELDS)[number], string>;
const NONE: ReadonlySet<PasswordRuleId> = new Set();

/**
 * **Change password** on the Security page (issue 11): the current password, the new one twice (with the
 * workspace's rules), after confirming identity; every other session is signed out.
 */
export function ChangeOwnPasswordSection() {
  const me = useMe();
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const [open, setOpen] = useState(false);
  const policy = useQuery({ queryKey: queryKeys.passwordPolicy, queryFn: api.getPasswordPolicy, staleTime: Infinity });
  const form = useForm<Values>({ initialValues: { currentPassword: '', newPassword: '', newPasswordAgain: '' } });
  const change = useMutation({
    mutationFn: (values: Values) =>
      confirmIdentity(
        () => call(() => client.POST('/api/v1/auth/password', { body: values })),
        'Changing your password',
      ),
    onSuccess: ({ otherSessionsEnded }) => {
      toastSuccess(
        otherSessionsEnded === 0
          ? 'Password changed'
          : `Password changed. ${otherSessionsEnded === 1 ? '1 other session was' : `${otherSessionsEnded} other sessions were`} signed out.`,
      );
      form.reset();
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: sessionsQueryKey });
    },
    onError: (error) => {
      const { fieldErrors } = splitFieldProblems(error, FIELDS);
      for (const field of FIELDS) {
        const messages = fieldMessages(error, field);
        if (messages.length > 0) fieldErrors[field] = messages.join(' ');
      }
      form.setErrors(fieldErrors);
    },
  });
  const other = splitFieldProblems(change.error, FIELDS).other;
  const fieldProblem = FIELDS.some((field) => form.errors[field]);

  return (
    <Stack component="section" aria-labelledby="password-heading" gap="sm">
      <Title order={2} id="password-heading">
        Password
      </Title>
      <Text c="dimmed" size="sm">
        Changing your password signs you out everywhere else: other browsers and connected client apps.
      </Text>
      {!open ? (
        <Group>
          <Button variant="default" onClick={() => setOpen(true)}>
            Change password
          </Button>
        </Group>
      ) : (
        <form
          noValidate
          onSubmit={form.onSubmit((values) => {
            form.clearErrors();
            change.mutate(values);
          })}
        >
          <Stack maw={420}>
            {!fieldProblem && <ProblemAlert error={change.error} other={other} />}
            <PasswordField
              label="Current password"
              autoComplete="current-password"
              aria-required
              {...form.getInputProps('currentPassword')}
            />
            <PasswordField
              label="New password"
              autoComplete="new-password"
              aria-required
              {...form.getInputProps('newPassword')}
            />
            <PasswordField
              label="Enter new password again"
              autoComplete="new-password"
              aria-required
              {...form.getInputProps('newPasswordAgain')}
            />
            {policy.isPending ? (
              <Loading label="Loading the password policy…" />
            ) : policy.data ? (
              <PasswordPolicyList
                policy={policy.data}
                password={form.values.newPassword}
                email={me.user.email}
                failedOnServer={NONE}
              />
            ) : (
              <ProblemAlert error={policy.error} />
            )}
            <Group>
              <Button type="submit" loading={change.isPending}>
                Change password
              </Button>
              <Button
                variant="default"
                onClick={() => {
                  form.reset();
                  change.reset();
                  setOpen(false);
                }}
              >
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
