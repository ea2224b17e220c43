import { Button, Checkbox, Group, NumberInput, Stack, TagsInput, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AdminOnly } from '../components/AdminOnly';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { ScimTokensSection } from '../components/ScimTokensSection';
import { SingleSignOnSection } from '../components/SingleSignOnSection';
import { TransferOwnershipSection } from '../components/TransferOwnershipSection';
import { useMe } from '../lib/me';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';
import {
  approvedClientAppsKey,
  clientAppLabels,
  workspaceSettingsApi,
  workspaceSettingsKey,
  type WorkspaceSettings,
} from '../lib/workspaceSettings';

const FIELDS = [
  'name',
  'invitationTtlHours',
  'passwordMinLength',
  'idpRedirectSeconds',
  'verifiedDomains',
  'deviceApprovalDays',
  'approvedClientApps',
];

/**
 * Workspace settings (/app/settings/workspace): name, invitation lifetime, password length, domains,
 * device approval lifetime, approved client apps.
 */
export function WorkspaceSettingsPage() {
  const me = useMe();
  return (
    <Stack maw={640}>
      <Title order={1}>Workspace settings</Title>
      <AdminOnly>
        <SettingsLoader />
        <SingleSignOnSection />
        <ScimTokensSection />
        {me.user.role === 'owner' && <TransferOwnershipSection />}
      </AdminOnly>
    </Stack>
  );
}

function SettingsLoader() {
  const settings = useQuery({ queryKey: workspaceSettingsKey, queryFn: workspaceSettingsApi.get });
  if (settings.isPending) return <Loading />;
  if (!settings.data) return <ProblemAlert error={settings.error} />;
  return <SettingsForm initial={settings.data} />;
}

function SettingsForm({ initial }: { initial: WorkspaceSettings }) {
  const queryClient = useQueryClient();
  const form = useForm<WorkspaceSettings>({ initialValues: initial });
  const save = useMutation({
    mutationFn: workspaceSettingsApi.update,
    onSuccess: async (saved) => {
      form.setValues(saved);
      form.resetDirty(saved);
      toastSuccess('Settings saved');
      queryClient.setQueryData(workspaceSettingsKey, saved);
      await queryClient.invalidateQueries({ queryKey: queryKeys.session });
      await queryClient.invalidateQueries({ queryKey: approvedClientAppsKey });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, FIELDS).fieldErrors),
  });
  const other = splitFieldProblems(save.error, FIELDS).other;

  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) => {
        form.clearErrors();
        save.mutate(values);
      })}
    >
      <Stack>
        <ProblemAlert error={save.error} other={other} />
        <TextInput label="Workspace name" aria-required {...form.getInputProps('name')} />
        <NumberInput
          label="Invitation lifetime (hours)"
          description="How long an invitation and its temporary password stay valid."
          min={1}
          max={720}
          allowDecimal={false}
          clampBehavior="none"
          {...form.getInputProps('invitationTtlHours')}
        />
        <NumberInput
          label="Minimum password length"
          description="Applies to every new password."
          min={8}
          max={128}
          allowDecimal={false}
          clampBehavior="none"
          {...form.getInputProps('passwordMinLength')}
        />
        <NumberInput
          label="Identity provider countdown (seconds)"
          description="How long the waiting page waits before sending members to the identity provider."
          min={0}
          max={60}
          allowDecimal={false}
          clampBehavior="none"
          {...form.getInputProps('idpRedirectSeconds')}
        />
        <NumberInput
          label="Trusted device approval (days)"
          description="How long a verified or approved device stays trusted before it must be verified again."
          min={1}
          max={365}
          allowDecimal={false}
          clampBehavior="none"
          {...form.getInputProps('deviceApprovalDays')}
        />
        <Checkbox.Group
          label="Approved client apps"
          description="The client apps people may set up as trusted devices. One that loses approval gets no password or TOTP code from its next request. This web app is always allowed."
          {...form.getInputProps('approvedClientApps')}
        >
          <Stack gap="xs" mt="xs">
            <Checkbox value="extension" label={clientAppLabels.extension} />
            <Checkbox value="cli" label={clientAppLabels.cli} />
          </Stack>
        </Checkbox.Group>
        <TagsInput
          label="Verified domains"
          description="People with these email domains are members, never guests. Press Enter after each."
          {...form.getInputProps('verifiedDomains')}
        />
        {/* Left-aligned: toasts appear bottom-right and must never sit on the button. */}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
