import { Alert, Anchor, Badge, Button, CopyButton, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Me } from '../api';
import { ChangeOwnPasswordSection } from '../components/ChangeOwnPasswordSection';
import { ConfirmModal } from '../components/ConfirmModal';
import { useIdentityConfirmation } from '../components/ConfirmIdentity';
import { Loading } from '../components/Loading';
import { PasskeysSection } from '../components/PasskeysSection';
import { ProblemAlert } from '../components/ProblemAlert';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { SessionsSection } from '../components/SessionsSection';
import { NotificationsSection } from '../components/NotificationsSection';
import { useMe } from '../lib/me';
import { isProblemType, mfaApi, mfaQueryKeys, useMfaStatus, type MfaStatus, type TotpEnrolment } from '../lib/mfa';
import { usePasskeys } from '../lib/passkeys';
import { errorMessage } from '../lib/problems';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';

/** Security (/app/security): the authenticator app (TOTP), recovery codes and passkeys (SPEC §5). */
export function SecurityPage() {
  const me = useMe();
  const status = useMfaStatus();
  const queryClient = useQueryClient();
  const [shownCodes, setShownCodes] = useState<string[] | null>(null);
  // Passkeys are added and removed in their own section: keep the counts here in step.
  const passkeyCount = usePasskeys().data?.passkeys.length;
  useEffect(() => {
    if (passkeyCount !== undefined) void queryClient.invalidateQueries({ queryKey: mfaQueryKeys.status });
  }, [passkeyCount, queryClient]);

  return (
    <Stack maw={760} gap="xl">
      <div>
        <Title order={1}>Security</Title>
        <Text c="dimmed" mt={4}>
          Multi-factor authentication (MFA) asks for a second proof after your password: a code from an authenticator
          app, or a passkey.
        </Text>
      </div>
      {me.assurance.mfaEnrolmentRequired ? (
        <Alert color="yellow" variant="light" title="Turn on MFA first">
          You signed in with your password, and {me.workspace.name} signs its members in through the company&apos;s
          identity provider: turn on MFA below before anything else. Every such sign-in is in the activity log.
        </Alert>
      ) : (
        me.assurance.mfaRequired &&
        !me.assurance.mfaEnabled && (
          <Alert color="yellow" variant="light" title="MFA is required">
            {me.workspace.name} requires MFA before you can use shared accounts. Turn it on below.
          </Alert>
        )
      )}
      {shownCodes && (
        <RecoveryCodes codes={shownCodes} workspaceName={me.workspace.name} onDone={() => setShownCodes(null)} />
      )}
      {status.isPending ? (
        <Loading />
      ) : status.data ? (
        <>
          <AuthenticatorSection me={me} status={status.data} onRecoveryCodes={setShownCodes} />
          {(status.data.totp || status.data.passkeys > 0) && (
            <RecoveryCodesSection status={status.data} onRecoveryCodes={setShownCodes} />
          )}
        </>
      ) : (
        <ProblemAlert error={status.error} />
      )}
      <PasskeysSection />
      {!me.assurance.mfaEnrolmentRequired && (
        <>
          <ChangeOwnPasswordSection />
          <SessionsSection />
          <NotificationsSection />
        </>
      )}
    </Stack>
  );
}

interface SectionProps {
  status: MfaStatus;
  onRecoveryCodes: (codes: string[]) => void;
}

function AuthenticatorSection({ me, status, onRecoveryCodes }: SectionProps & { me: Me }) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [turningOff, setTurningOff] = useState(false);

  const start = useMutation({
    mutationFn: () => confirmIdentity(mfaApi.startTotp, 'Setting up an authenticator app'),
    onSuccess: setEnrolment,
  });
  const turnOff = useMutation({
    mutationFn: () => confirmIdentity(mfaApi.turnOffTotp, 'Turning off the authenticator app'),
    onSuccess: async () => {
      setTurningOff(false);
      toastSuccess('Authenticator app turned off');
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: mfaQueryKeys.status }),
        queryClient.invalidateQueries({ queryKey: queryKeys.session }),
      ]);
    },
  });
  const onlyFactor = status.totp && status.passkeys === 0;
  const turnOnLabel = me.assurance.mfaEnabled ? 'Add an authenticator app' : 'Turn on MFA';

  return (
    <Stack component="section" aria-labelledby="authenticator-heading" gap="sm">
      <Group gap="sm">
        <Title order={2} id="authenticator-heading">
          Authenticator app
        </Title>
        <Badge variant="light" color={status.totp ? 'teal' : 'gray'}>
          {status.totp ? 'On' : 'Off'}
        </Badge>
      </Group>
      {enrolment ? (
        <TotpEnrolmentForm
          enrolment={enrolment}
          replacing={status.totp}
          onStartedOver={setEnrolment}
          onCancel={() => setEnrolment(null)}
          onConfirmed={(codes) => {
            setEnrolment(null);
            if (codes) onRecoveryCodes(codes);
          }}
        />
      ) : status.totp ? (
        <>
          <Text size="sm">
            Your authenticator app gives the code Gatehouse asks for after your password. Changing or turning it off
            asks you to confirm your identity.
          </Text>
          <ProblemAlert error={start.error} />
          <Group>
            <Button variant="default" loading={start.isPending} onClick={() => start.mutate()}>
              Change authenticator app
            </Button>
            <Button variant="default" color="red" onClick={() => setTurningOff(true)}>
              Turn off
            </Button>
          </Group>
        </>
      ) : (
        <>
          <Text size="sm">
            Use an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator or 1Password)
            to get a new 6-digit code every 30 seconds.
          </Text>
          <ProblemAlert error={start.error} />
          <Group>
            <Button loading={start.isPending} onClick={() => start.mutate()}>
              {turnOnLabel}
            </Button>
          </Group>
        </>
      )}
      <ConfirmModal
        opened={turningOff}
        title="Turn off the authenticator app?"
        confirmLabel="Turn off"
        danger
        loading={turnOff.isPending}
        error={turnOff.error}
        onConfirm={() => turnOff.mutate()}
        onClose={() => {
          setTurningOff(false);
          turnOff.reset();
        }}
      >
        <Text>
          Codes from your authenticator app will no longer work.
          {onlyFactor && ' It is your only second factor: MFA will be off and your recovery codes will stop working.'}
          {onlyFactor &&
            me.assurance.mfaRequired &&
            ' You will not be able to use shared accounts until you turn MFA on again.'}
        </Text>
      </ConfirmModal>
    </Stack>
  );
}

interface TotpEnrolmentFormProps {
  enrolment: TotpEnrolment;
  replacing: boolean;
  onStartedOver: (enrolment: TotpEnrolment) => void;
  onCancel: () => void;
  onConfirmed: (recoveryCodes: string[] | null) => void;
}

function TotpEnrolmentForm({ enrolment, replacing, onStartedOver, onCancel, onConfirmed }: TotpEnrolmentFormProps) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const [showKey, setShowKey] = useState(false);
  const form = useForm({ initialValues: { code: '' } });
  // The key waits on the server until it is confirmed or cancelled: reloading shows the same one again.
  const cancel = useMutation({ mutationFn: mfaApi.cancelTotp, onSuccess: onCancel });
  const startOver = useMutation({
    mutationFn: () => confirmIdentity(() => mfaApi.startTotp(true), 'Setting up an authenticator app'),
    onSuccess: (restarted) => {
      form.reset();
      confirm.reset();
      onStartedOver(restarted);
    },
  });
  const confirm = useMutation({
    mutationFn: (code: string) => mfaApi.confirmTotp(code),
    onSuccess: async ({ recoveryCodes, me }) => {
      queryClient.setQueryData(queryKeys.session, me);
      toastSuccess(replacing ? 'Authenticator app changed' : 'MFA is on');
      onConfirmed(recoveryCodes);
      await queryClient.invalidateQueries({ queryKey: mfaQueryKeys.status });
    },
    onError: (error) => {
      // Clear the refused code first: changing a value clears its error.
      form.setFieldValue('code', '');
      if (isProblemType(error, 'totp-code-invalid')) form.setFieldError('code', errorMessage(error));
    },
  });
  const shownUnderField = isProblemType(confirm.error, 'totp-code-invalid');

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack>
        <Text>Scan this QR code with your authenticator app, then enter the code it shows.</Text>
        {enrolment.resumed && (
          <Alert color="blue" variant="light" title="The same key as before">
            You started this setup earlier and it is still waiting for its first code. If your authenticator app already
            has this entry, just enter its code.
          </Alert>
        )}
        <img
          src={enrolment.qrCode}
          width={200}
          height={200}
          alt="QR code to add Gatehouse to your authenticator app"
          style={{ imageRendering: 'pixelated' }}
        />
        <Anchor
          component="button"
          type="button"
          ta="left"
          aria-expanded={showKey}
          aria-controls="totp-key"
          onClick={() => setShowKey((shown) => !shown)}
        >
          Can&apos;t scan? Enter this key
        </Anchor>
        {showKey && (
          <TextInput
            id="totp-key"
            label="Key"
            description="In your app choose to enter a setup key: time-based, 6 digits."
            readOnly
            value={enrolment.key}
            styles={{ input: { fontFamily: 'monospace', letterSpacing: '0.05em' } }}
            rightSectionWidth={72}
            rightSection={
              <CopyButton value={enrolment.key.replace(/\s/g, '')}>
                {({ copied, copy }) => (
                  <Button
                    variant="subtle"
                    size="compact-xs"
                    onClick={copy}
                    aria-label={copied ? 'Copied key' : 'Copy key'}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            }
          />
        )}
        <form
          noValidate
          onSubmit={form.onSubmit(({ code }) => {
            form.clearErrors();
            const digits = code.replace(/\s/g, '');
            if (!/^\d{6}$/.test(digits)) return form.setFieldError('code', 'Enter the 6 digits your app shows.');
            confirm.mutate(digits);
          })}
        >
          <Stack>
            <ProblemAlert error={shownUnderField ? null : confirm.error} />
            <TextInput
              label="Authentication Code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              aria-required
              {...form.getInputProps('code')}
            />
            <Group>
              <Button type="submit" loading={confirm.isPending}>
                Verify
              </Button>
              <Button variant="default" loading={cancel.isPending} onClick={() => cancel.mutate()}>
                Cancel
              </Button>
              <Button variant="subtle" loading={startOver.isPending} onClick={() => startOver.mutate()}>
                Start over with a new key
              </Button>
            </Group>
            <ProblemAlert error={cancel.error ?? startOver.error} />
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}

function RecoveryCodesSection({ status, onRecoveryCodes }: SectionProps) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const [asking, setAsking] = useState(false);
  const regenerate = useMutation({
    mutationFn: () => confirmIdentity(mfaApi.regenerateRecoveryCodes, 'Making new recovery codes'),
    onSuccess: async ({ recoveryCodes }) => {
      setAsking(false);
      onRecoveryCodes(recoveryCodes);
      toastSuccess('New recovery codes generated');
      await queryClient.invalidateQueries({ queryKey: mfaQueryKeys.status });
    },
  });

  return (
    <Stack component="section" aria-labelledby="recovery-codes-heading" gap="sm">
      <Title order={2} id="recovery-codes-heading">
        Recovery codes
      </Title>
      <Text size="sm">
        {status.recoveryCodes === 1
          ? '1 unused recovery code left.'
          : `${status.recoveryCodes} unused recovery codes left.`}{' '}
        Each works once in place of an authentication code.
      </Text>
      {status.recoveryCodes <= 2 && (
        <Alert color="yellow" variant="light">
          You are running out of recovery codes: generate new ones.
        </Alert>
      )}
      <Group>
        <Button variant="default" onClick={() => setAsking(true)}>
          Generate new recovery codes
        </Button>
      </Group>
      <ConfirmModal
        opened={asking}
        title="Generate new recovery codes?"
        confirmLabel="Generate"
        loading={regenerate.isPending}
        error={regenerate.error}
        onConfirm={() => regenerate.mutate()}
        onClose={() => {
          setAsking(false);
          regenerate.reset();
        }}
      >
        <Text>Your current recovery codes will stop working. The new ones are shown once.</Text>
      </ConfirmModal>
    </Stack>
  );
}
