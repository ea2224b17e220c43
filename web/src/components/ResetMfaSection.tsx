import { Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { mfaApi, mfaQueryKeys, type MfaStatus } from '../lib/mfa';
import { toastSuccess } from '../lib/toast';
import { useIdentityConfirmation } from './ConfirmIdentity';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';

function describeFactors(status: MfaStatus): string {
  const parts: string[] = [];
  if (status.totp) parts.push('an authenticator app');
  if (status.passkeys > 0) parts.push(status.passkeys === 1 ? '1 passkey' : `${status.passkeys} passkeys`);
  const codes = status.recoveryCodes === 1 ? '1 unused recovery code' : `${status.recoveryCodes} unused recovery codes`;
  return parts.length === 0 ? 'No second factor.' : `Uses ${parts.join(' and ')}; ${codes}.`;
}

/**
 * A person's MFA and **Reset MFA** (SPEC §5), for an admin who may reset it (workspace admins; host
 * admins for their partners' guests). Render it only for them; the server checks again.
 */
export function ResetMfaSection({ userId, name }: { userId: string; name: string }) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const [asking, setAsking] = useState(false);
  const status = useQuery({ queryKey: mfaQueryKeys.member(userId), queryFn: () => mfaApi.memberStatus(userId) });
  const reset = useMutation({
    mutationFn: () => confirmIdentity(() => mfaApi.resetMfa(userId), 'Resetting MFA'),
    onSuccess: async () => {
      setAsking(false);
      toastSuccess(`MFA reset for ${name}`);
      await queryClient.invalidateQueries({ queryKey: mfaQueryKeys.member(userId) });
    },
  });
  const enabled = status.data ? status.data.totp || status.data.passkeys > 0 : false;

  return (
    <Stack component="section" aria-labelledby="member-mfa" gap="sm">
      <Group gap="sm">
        <Title order={2} size="h3" id="member-mfa">
          Multi-factor authentication
        </Title>
        {status.data && (
          <Badge variant="light" color={enabled ? 'teal' : 'gray'}>
            {enabled ? 'On' : 'Off'}
          </Badge>
        )}
      </Group>
      {status.isPending ? (
        <Loading />
      ) : status.data ? (
        <>
          <Text size="sm">{describeFactors(status.data)}</Text>
          {enabled && (
            <Group>
              <Button variant="default" color="red" onClick={() => setAsking(true)}>
                Reset MFA
              </Button>
            </Group>
          )}
        </>
      ) : (
        <ProblemAlert error={status.error} />
      )}
      <ConfirmModal
        opened={asking}
        title={`Reset MFA for ${name}?`}
        confirmLabel="Reset MFA"
        danger
        loading={reset.isPending}
        error={reset.error}
        onConfirm={() => reset.mutate()}
        onClose={() => {
          setAsking(false);
          reset.reset();
        }}
      >
        <ResetMfaWarning />
      </ConfirmModal>
    </Stack>
  );
}

function ResetMfaWarning() {
  return (
    <Text>
      Their authenticator app, passkeys and recovery codes stop working and they are signed out everywhere. We email
      them; they must turn MFA on again at their next sign-in. Do this only once you are sure who is asking.
    </Text>
  );
}

/** **Reset MFA** as a row action (the members list): the dialog shows what would be removed first. */
export function ResetMfaButton({ userId, name }: { userId: string; name: string }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button variant="subtle" color="red" size="compact-sm" onClick={() => setOpened(true)}>
        Reset MFA
      </Button>
      {opened && <ResetMfaDialog userId={userId} name={name} onClose={() => setOpened(false)} />}
    </>
  );
}

function ResetMfaDialog({ userId, name, onClose }: { userId: string; name: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const status = useQuery({ queryKey: mfaQueryKeys.member(userId), queryFn: () => mfaApi.memberStatus(userId) });
  const reset = useMutation({
    mutationFn: () => confirmIdentity(() => mfaApi.resetMfa(userId), 'Resetting MFA'),
    onSuccess: async () => {
      onClose();
      toastSuccess(`MFA reset for ${name}`);
      await queryClient.invalidateQueries({ queryKey: mfaQueryKeys.member(userId) });
    },
  });
  const enabled = status.data ? status.data.totp || status.data.passkeys > 0 : false;
  return (
    <ConfirmModal
      opened
      title={`Reset MFA for ${name}?`}
      confirmLabel="Reset MFA"
      danger
      loading={reset.isPending || status.isPending}
      error={reset.error ?? status.error}
      onConfirm={() => (enabled ? reset.mutate() : onClose())}
      onClose={onClose}
    >
      {status.data && <Text fw={500}>{describeFactors(status.data)}</Text>}
      {status.data && !enabled ? (
        <Text>They have not turned on MFA: there is nothing to reset.</Text>
      ) : (
        <ResetMfaWarning />
      )}
    </ConfirmModal>
  );
}
