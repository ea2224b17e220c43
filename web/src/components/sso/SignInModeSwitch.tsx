import { Button, Group, List, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ssoApi, ssoSettingsKey, type SsoSettings } from '../../lib/sso';
import { toastSuccess } from '../../lib/toast';
import { ConfirmModal } from '../ConfirmModal';

/** Whether the saved settings of the chosen protocol let members sign in through the identity provider. */
export function readyForIdp(settings: SsoSettings): boolean {
  return settings.protocol === 'saml' ? settings.samlConfigured : Boolean(settings.issuer && settings.clientId);
}

/** Switching how members sign in (`local` ↔ `idp`), after a confirmation that says what changes. */
export function SignInModeSwitch({ settings }: { settings: SsoSettings }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const nextMode = settings.mode === 'idp' ? 'local' : 'idp';
  const switchMode = useMutation({
    mutationFn: () => ssoApi.switchMode(nextMode),
    onSuccess: async (saved) => {
      setConfirming(false);
      queryClient.setQueryData(ssoSettingsKey, saved);
      toastSuccess(
        saved.mode === 'idp'
          ? 'Members now sign in through your identity provider.'
          : 'Members now sign in with their Gatehouse passwords.',
      );
      await queryClient.invalidateQueries();
    },
  });
  const ready = readyForIdp(settings);
  const protocolName = settings.protocol === 'saml' ? 'SAML 2.0' : 'OpenID Connect';
  return (
    <>
      <Group mt="sm">
        <Button
          variant="outline"
          color={nextMode === 'idp' ? 'blue' : 'orange'}
          disabled={nextMode === 'idp' && !ready}
          onClick={() => setConfirming(true)}
          styles={{ root: { height: 'auto', minHeight: 36 }, label: { whiteSpace: 'normal' } }}
        >
          {nextMode === 'idp' ? 'Switch members to the identity provider' : 'Switch members to Gatehouse passwords'}
        </Button>
      </Group>
      {nextMode === 'idp' && !ready && (
        <Text size="sm" c="dimmed">
          {settings.protocol === 'saml'
            ? 'Paste and save the identity provider’s SAML metadata first.'
            : 'Save the issuer URL and client ID first.'}
        </Text>
      )}
      <ConfirmModal
        opened={confirming}
        title={
          nextMode === 'idp' ? 'Members sign in through the identity provider?' : 'Members sign in with passwords?'
        }
        confirmLabel={nextMode === 'idp' ? 'Switch to the identity provider' : 'Switch to passwords'}
        onConfirm={() => switchMode.mutate()}
        onClose={() => {
          setConfirming(false);
          switchMode.reset();
        }}
        loading={switchMode.isPending}
        error={switchMode.error}
        danger={nextMode === 'idp'}
      >
        {nextMode === 'idp' ? (
          <List size="sm" spacing={4}>
            <List.Item>
              Members sign in only through your identity provider ({protocolName}); their Gatehouse passwords stop
              working.
            </List.Item>
            <List.Item>
              As the owner you keep a break-glass sign-in with your password, which needs multi-factor authentication
              and is logged every time. If you have not turned MFA on, you will be asked to before anything else.
            </List.Item>
            <List.Item>Guests keep signing in with their Gatehouse username and password.</List.Item>
          </List>
        ) : (
          <List size="sm" spacing={4}>
            <List.Item>
              Members sign in with a Gatehouse password again; the identity provider is no longer used.
            </List.Item>
            <List.Item>
              Members who joined through the identity provider have no Gatehouse password yet: they need one before they
              can sign in.
            </List.Item>
          </List>
        )}
      </ConfirmModal>
    </>
  );
}
