import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, type PublicWorkspace } from '../api';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { isNotFound, queryKeys } from '../lib/queries';
import { workspaceSlugFromInput } from '../lib/slug';

/** "Let's find your workspace" (/login). */
export function LoginPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const form = useForm({ initialValues: { workspace: '' } });

  const find = useMutation({
    mutationFn: (slug: string) => api.getWorkspace(slug),
    onSuccess: (workspace: PublicWorkspace) => {
      queryClient.setQueryData(queryKeys.workspace(workspace.slug), workspace);
      navigate(`/w/${encodeURIComponent(workspace.slug)}`);
    },
    onError: (error) => {
      if (isNotFound(error)) form.setFieldError('workspace', 'No workspace with that name.');
    },
  });

  const submit = form.onSubmit(({ workspace }) => {
    form.clearErrors();
    find.reset();
    const slug = workspaceSlugFromInput(workspace);
    if (!slug) {
      form.setFieldError('workspace', 'Enter your workspace name.');
      return;
    }
    find.mutate(slug);
  });

  return (
    <PublicLayout>
      <form noValidate onSubmit={submit}>
        <Stack>
          <div>
            <Title order={1} size="h2">
              Let's find your workspace
            </Title>
            <Text c="dimmed" size="sm" mt={4}>
              Enter the name of the workspace you want to sign in to.
            </Text>
          </div>
          {params.get('sso') === 'expired' && (
            <Alert color="orange" variant="light">
              That sign-in attempt expired. Try again.
            </Alert>
          )}
          <ProblemAlert error={find.error && !isNotFound(find.error) ? find.error : null} />
          <TextInput
            label="Workspace name"
            autoComplete="organization"
            spellCheck={false}
            autoCapitalize="none"
            aria-required
            {...form.getInputProps('workspace')}
          />
          <Button type="submit" loading={find.isPending} fullWidth>
            Next
          </Button>
        </Stack>
      </form>
    </PublicLayout>
  );
}
