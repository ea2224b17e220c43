import { Alert, Anchor, Button, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import {
  api,
  ApiError,
  resetCsrfToken,
  type JoinWorkspaceInput,
  type MemberInvitationLookup,
  type PasswordRuleId,
} from '../api';
import { Loading } from '../components/Loading';
import { PasswordField } from '../components/PasswordField';
import { PasswordPolicyList } from '../components/PasswordPolicyList';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { formatDateTime, sentence } from '../lib/format';
import { rulesNamedBy } from '../lib/passwordRules';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems, fieldMessages } from '../lib/problems';
import { toastSuccess } from '../lib/toast';

type JoinValues = Omit<JoinWorkspaceInput, 'token'>;
const fields = ['password', 'passwordAgain', 'givenName', 'familyName'] as const;
const initialValues: JoinValues = { password: '', passwordAgain: '', givenName: '', familyName: '' };

/** Where a **Join workspace** link lands (/w/:slug/join?token=…): choose a password, or go to the IdP. */
export function JoinWorkspacePage() {
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const invitation = useQuery({
    queryKey: ['member-invitation', token],
    queryFn: () => api.lookupMemberInvitation(token),
    enabled: token !== '',
    retry: false,
  });

  return (
    <PublicLayout>
      <Stack maw={560} mx="auto">
        {token === '' ||
        // Unknown (404), or cut short by a mail client (400: too short to be a token).
        (invitation.error instanceof ApiError &&
          (invitation.error.status === 404 || invitation.error.status === 400)) ? (
          <Unusable
            slug={slug}
            title="This invitation link is not valid"
            text="Open the link from the newest invitation email, whole. If the invitation was sent again, only the newest link works."
          />
        ) : invitation.isPending ? (
          <Loading />
        ) : invitation.data ? (
          <Invitation slug={slug} token={token} invitation={invitation.data} />
        ) : (
          <ProblemAlert error={invitation.error} />
        )}
      </Stack>
    </PublicLayout>
  );
}

function Unusable({ slug, title, text }: { slug: string; title: string; text: string }) {
  return (
    <Stack>
      <Title order={1}>{title}</Title>
      <Text>{text}</Text>
      <Anchor component={Link} to={`/w/${encodeURIComponent(slug)}/sign-in`}>
        Go to the sign-in page
      </Anchor>
    </Stack>
  );
}

function Invitation({ slug, token, invitation }: { slug: string; token: string; invitation: MemberInvitationLookup }) {
  const name = invitation.workspace.name;
  if (invitation.state === 'accepted')
    return (
      <Unusable slug={slug} title="You already joined" text={`Sign in to ${name} with your email and password.`} />
    );
  if (invitation.state === 'revoked')
    return (
      <Unusable
        slug={slug}
        title="This invitation was revoked"
        text="Ask an admin of the workspace to invite you again."
      />
    );
  if (invitation.state === 'expired')
    return (
      <Unusable
        slug={slug}
        title="This invitation has expired"
        text={`It expired on ${formatDateTime(invitation.expiresAt)}. Ask an admin of ${name} to send it again.`}
      />
    );
  const by = invitation.invitedBy ? `${invitation.invitedBy} invited you` : 'You are invited';
  const role = invitation.role === 'admin' ? 'an admin' : 'a member';
  return (
    <Stack>
      <div>
        <Title order={1}>Join {name}</Title>
        <Text c="dimmed" mt={4}>
          {sentence(`${by} to join ${name} as ${role}`)} Your username is <strong>{invitation.email}</strong>.
        </Text>
      </div>
      {invitation.workspace.mode === 'idp' ? (
        <Alert color="blue" title="Sign in with your company account">
          <Stack gap="sm">
            <Text size="sm">
              {name} signs its members in through the company&apos;s identity provider: there is no Gatehouse password
              to choose. Sign in there with {invitation.email}.
            </Text>
            <Button component={Link} to={`/w/${encodeURIComponent(slug)}`} w="fit-content">
              Continue to sign in
            </Button>
          </Stack>
        </Alert>
      ) : (
        <JoinForm token={token} invitation={invitation} />
      )}
    </Stack>
  );
}

function JoinForm({ token, invitation }: { token: string; invitation: MemberInvitationLookup }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm<JoinValues>({ initialValues });
  const [refused, setRefused] = useState<{ password: string; rules: Set<PasswordRuleId> } | null>(null);
  const join = useMutation({
    mutationFn: (values: JoinValues) =>
      api.joinWorkspace({
        ...values,
        token,
        givenName: values.givenName.trim(),
        familyName: values.familyName.trim(),
      }),
    onSuccess: (me) => {
      resetCsrfToken();
      queryClient.setQueryData(queryKeys.session, me);
      toastSuccess(`Welcome to ${invitation.workspace.name}`);
      navigate('/app', { replace: true });
    },
    onError: (error, values) => {
      const { fieldErrors } = splitFieldProblems(error, fields);
      for (const field of ['password', 'passwordAgain'] as const) {
        const messages = fieldMessages(error, field);
        if (messages.length > 0) fieldErrors[field] = messages.join(' ');
      }
      form.setErrors(fieldErrors);
      setRefused({ password: values.password, rules: rulesNamedBy(fieldMessages(error, 'password')) });
    },
  });
  const other = splitFieldProblems(join.error, fields).other;
  const password = form.values.password;
  const failedOnServer = refused && refused.password === password ? refused.rules : new Set<PasswordRuleId>();

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        join.mutate(values);
      })}
    >
      <Stack>
        <ProblemAlert error={join.error} other={other} />
        <PasswordField label="Password" autoComplete="new-password" aria-required {...form.getInputProps('password')} />
        <PasswordField
          label="Enter Password Again"
          autoComplete="new-password"
          aria-required
          {...form.getInputProps('passwordAgain')}
        />
        <PasswordPolicyList
          policy={invitation.passwordPolicy}
          password={password}
          email={invitation.email}
          failedOnServer={failedOnServer}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput label="Name" autoComplete="given-name" aria-required {...form.getInputProps('givenName')} />
          <TextInput
            label="Family Name"
            autoComplete="family-name"
            aria-required
            {...form.getInputProps('familyName')}
          />
        </SimpleGrid>
        <Button type="submit" loading={join.isPending} fullWidth>
          Join workspace
        </Button>
      </Stack>
    </form>
  );
}
