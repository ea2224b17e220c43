import { Anchor, Button, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, resetCsrfToken, type SetupInput } from '../api';
import { PasswordField } from '../components/PasswordField';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { queryKeys, useSetupStatus } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { slugify } from '../lib/slug';
import { toastSuccess } from '../lib/toast';

const fields = ['workspaceName', 'slug', 'displayName', 'email', 'password', 'idp.issuer', 'idp.clientId'] as const;

export function SetupPage() {
  const setup = useSetupStatus();
  return <PublicLayout>{setup.data?.needsSetup === false ? <AlreadySetUp /> : <SetupForm />}</PublicLayout>;
}

function AlreadySetUp() {
  return (
    <Stack>
      <Title order={1} size="h2">
        Create your workspace
      </Title>
      <Text>This Gatehouse already has a workspace.</Text>
      <Anchor component={Link} to="/login">
        Find your workspace and sign in
      </Anchor>
    </Stack>
  );
}

function SetupForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [slugEdited, setSlugEdited] = useState(false);
  const form = useForm<SetupInput>({
    initialValues: {
      workspaceName: '',
      slug: '',
      displayName: '',
      email: '',
      password: '',
      mode: 'local',
      idp: { issuer: '', clientId: '' },
    },
  });

  const create = useMutation({
    mutationFn: (values: SetupInput) =>
      api.setup({
        ...values,
        workspaceName: values.workspaceName.trim(),
        email: values.email.trim(),
        // The identity provider's settings go only with idp mode; local mode sends none.
        idp: values.mode === 'idp' ? values.idp : undefined,
      }),
    onSuccess: (me) => {
      resetCsrfToken();
      queryClient.setQueryData(queryKeys.session, me);
      queryClient.setQueryData(queryKeys.setup, { needsSetup: false });
      toastSuccess('Workspace created');
      navigate('/app', { replace: true });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const other = splitFieldProblems(create.error, fields).other;

  const nameProps = form.getInputProps('workspaceName');
  const slugProps = form.getInputProps('slug');

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        create.mutate(values);
      })}
    >
      <Stack>
        <div>
          <Title order={1} size="h2">
            Create your workspace
          </Title>
          <Text c="dimmed" size="sm" mt={4}>
            Set up Gatehouse for your company. You will be its owner.
          </Text>
        </div>
        <ProblemAlert error={create.error} other={other} />
        <TextInput
          label="Workspace name"
          autoComplete="organization"
          aria-required
          {...nameProps}
          onChange={(event) => {
            const value = event.currentTarget.value;
            form.setFieldValue('workspaceName', value);
            if (!slugEdited) form.setFieldValue('slug', slugify(value));
          }}
        />
        <TextInput
          label="Workspace URL name"
          description="Lowercase letters, digits and dashes"
          autoComplete="off"
          spellCheck={false}
          aria-required
          {...slugProps}
          onChange={(event) => {
            const value = event.currentTarget.value;
            form.setFieldValue('slug', value);
            setSlugEdited(value !== '');
          }}
        />
        <TextInput label="Your name" autoComplete="name" aria-required {...form.getInputProps('displayName')} />
        <TextInput
          label="Your email"
          type="email"
          autoComplete="email"
          aria-required
          {...form.getInputProps('email')}
        />
        <PasswordField
          label="Password"
          description="At least 12 characters"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('password')}
        />
        <Radio.Group label="How members sign in" {...form.getInputProps('mode')}>
          <Stack gap="xs" mt={6}>
            <Radio value="local" label="With Gatehouse passwords" />
            <Radio
              value="idp"
              label="Through your company's identity provider (OpenID Connect)"
              description="You keep a password for break-glass sign-in, with MFA. Add the client secret and test the connection later under Workspace settings → Single sign-on."
            />
          </Stack>
        </Radio.Group>
        {form.values.mode === 'idp' && (
          <>
            <TextInput
              label="Issuer URL"
              placeholder="https://login.example.com"
              aria-required
              {...form.getInputProps('idp.issuer')}
            />
            <TextInput label="Client ID" aria-required {...form.getInputProps('idp.clientId')} />
          </>
        )}
        <Button type="submit" loading={create.isPending} fullWidth>
          Create workspace
        </Button>
      </Stack>
    </form>
  );
}
