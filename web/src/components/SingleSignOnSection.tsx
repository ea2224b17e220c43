import { useEffect, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  CopyButton,
  Group,
  List,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { splitFieldProblems } from '../lib/problems';
import { ssoApi, ssoSettingsKey, type SsoSettings } from '../lib/sso';
import { toastSuccess } from '../lib/toast';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';

/**
 * **Single sign-on** on Workspace settings (SPEC §2b): the OpenID Connect provider members sign in
 * through (issuer, client id, write-only client secret, just-in-time provisioning), the redirect URI to
 * copy into it, **Test connection**, and switching how members sign in after a confirmation.
 */
export function SingleSignOnSection() {
  const settings = useQuery({ queryKey: ssoSettingsKey, queryFn: ssoApi.get });
  return (
    <Stack component="section" aria-labelledby="sso-heading" gap="sm" mt="xl">
      <Title order={2} id="sso-heading">
        Single sign-on
      </Title>
      <Text c="dimmed" size="sm">
        Members can sign in through your company&apos;s identity provider with OpenID Connect (Okta, Microsoft Entra ID,
        Keycloak…). Guests always sign in with their Gatehouse username and password.
      </Text>
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <ProblemAlert error={settings.error} />
      ) : (
        <SsoForm settings={settings.data} />
      )}
    </Stack>
  );
}

function SsoForm({ settings }: { settings: SsoSettings }) {
  const queryClient = useQueryClient();
  const [issuer, setIssuer] = useState(settings.issuer ?? '');
  const [clientId, setClientId] = useState(settings.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [jit, setJit] = useState(settings.jitProvisioning);
  const [mfaValues, setMfaValues] = useState<string[]>(settings.mfaValues ?? []);
  const [clientAuthentication, setClientAuthentication] = useState(settings.clientAuthentication);
  const [confirmingMode, setConfirmingMode] = useState(false);
  useEffect(() => {
    setIssuer(settings.issuer ?? '');
    setClientId(settings.clientId ?? '');
    setJit(settings.jitProvisioning);
    setMfaValues(settings.mfaValues ?? []);
    setClientAuthentication(settings.clientAuthentication);
  }, [settings.issuer, settings.clientId, settings.jitProvisioning, settings.mfaValues, settings.clientAuthentication]);

  const save = useMutation({
    mutationFn: () =>
      ssoApi.save({
        issuer,
        clientId,
        jitProvisioning: jit,
        mfaValues,
        clientAuthentication,
        ...(clientSecret === '' ? {} : { clientSecret }),
      }),
    onSuccess: (saved) => {
      queryClient.setQueryData(ssoSettingsKey, saved);
      setClientSecret('');
      toastSuccess('Single sign-on settings saved.');
    },
  });
  const removeSecret = useMutation({
    mutationFn: () => ssoApi.save({ issuer, clientId, jitProvisioning: jit, clientSecret: '' }),
    onSuccess: (saved) => queryClient.setQueryData(ssoSettingsKey, saved),
  });
  const rotateKey = useMutation({
    mutationFn: () => ssoApi.save({ issuer, clientId, jitProvisioning: jit, rotateSigningKey: true }),
    onSuccess: (saved) => {
      queryClient.setQueryData(ssoSettingsKey, saved);
      toastSuccess('New signing key published. Your identity provider picks it up from the JWKS URL.');
    },
  });
  const test = useMutation({ mutationFn: () => ssoApi.test(issuer) });
  const nextMode = settings.mode === 'idp' ? 'local' : 'idp';
  const switchMode = useMutation({
    mutationFn: () => ssoApi.switchMode(nextMode),
    onSuccess: async (saved) => {
      setConfirmingMode(false);
      queryClient.setQueryData(ssoSettingsKey, saved);
      toastSuccess(
        saved.mode === 'idp'
          ? 'Members now sign in through your identity provider.'
          : 'Members now sign in with their Gatehouse passwords.',
      );
      await queryClient.invalidateQueries();
    },
  });
  const { fieldErrors, other } = splitFieldProblems(save.error, {
    issuer: 'issuer',
    clientId: 'clientId',
    clientSecret: 'clientSecret',
    mfaValues: 'mfaValues',
    clientAuthentication: 'clientAuthentication',
  });
  const settingsSaved = Boolean(settings.issuer && settings.clientId);

  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          Members sign in
        </Text>
        <Badge variant="light" color={settings.mode === 'idp' ? 'blue' : 'gray'}>
          {settings.mode === 'idp' ? 'through the identity provider' : 'with Gatehouse passwords'}
        </Badge>
      </Group>
      <Group align="end" wrap="nowrap">
        <TextInput label="Redirect URI" value={settings.redirectUri} readOnly style={{ flex: 1, minWidth: 0 }} />
        <CopyButton value={settings.redirectUri}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy} aria-label="Copy the redirect URI">
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed">
        Register Gatehouse at your identity provider as a web application with this redirect URI, then fill in what it
        gives you.
      </Text>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          <ProblemAlert error={save.error} other={other} />
          <TextInput
            label="Issuer URL"
            placeholder="https://login.example.com"
            value={issuer}
            onChange={(event) => {
              setIssuer(event.currentTarget.value);
              test.reset();
            }}
            error={fieldErrors.issuer}
          />
          <TextInput
            label="Client ID"
            value={clientId}
            onChange={(event) => setClientId(event.currentTarget.value)}
            error={fieldErrors.clientId}
          />
          <Select
            label="Client authentication"
            description="How Gatehouse proves who it is when it collects the sign-in at your identity provider."
            data={[
              { value: 'client_secret_basic', label: 'Client secret (HTTP Basic)' },
              { value: 'client_secret_post', label: 'Client secret (in the request body)' },
              { value: 'private_key_jwt', label: 'Signed JWT with a Gatehouse key (private_key_jwt)' },
            ]}
            value={clientAuthentication}
            onChange={(value) => value && setClientAuthentication(value as typeof clientAuthentication)}
            allowDeselect={false}
            error={fieldErrors.clientAuthentication}
          />
          {settings.jwksUrl && settings.clientAuthentication === 'private_key_jwt' && (
            <>
              <Group align="end" wrap="nowrap">
                <TextInput label="JWKS URL" value={settings.jwksUrl} readOnly style={{ flex: 1, minWidth: 0 }} />
                <CopyButton value={settings.jwksUrl}>
                  {({ copied, copy }) => (
                    <Button variant="default" onClick={copy} aria-label="Copy the JWKS URL">
                      {copied ? 'Copied' : 'Copy'}
                    </Button>
                  )}
                </CopyButton>
              </Group>
              <Text size="xs" c="dimmed">
                Register this URL at your identity provider as the client&apos;s public keys. Gatehouse keeps the
                private key sealed and never shows it.
              </Text>
              <Group>
                <Button variant="subtle" size="xs" loading={rotateKey.isPending} onClick={() => rotateKey.mutate()}>
                  Rotate key
                </Button>
              </Group>
              <ProblemAlert error={rotateKey.error} />
            </>
          )}
          {clientAuthentication === 'private_key_jwt' && settings.clientAuthentication !== 'private_key_jwt' && (
            <Text size="xs" c="dimmed">
              Save to create the signing key; its JWKS URL appears here.
            </Text>
          )}
          <PasswordInput
            label="Client secret"
            description={
              settings.clientSecretSet
                ? 'Set. Gatehouse never shows it; type a new one to replace it.'
                : 'Not set. Leave empty for a public client.'
            }
            autoComplete="off"
            value={clientSecret}
            onChange={(event) => setClientSecret(event.currentTarget.value)}
            error={fieldErrors.clientSecret}
          />
          {settings.clientSecretSet && (
            <Group>
              <Button
                variant="subtle"
                color="red"
                size="xs"
                loading={removeSecret.isPending}
                onClick={() => removeSecret.mutate()}
              >
                Remove client secret
              </Button>
            </Group>
          )}
          <Switch
            label="Just-in-time provisioning"
            description="Someone your identity provider vouches for, with a verified email in one of the workspace's verified domains, becomes a member the first time they sign in. Off: an admin invites them first."
            checked={jit}
            onChange={(event) => setJit(event.currentTarget.checked)}
          />
          <TagsInput
            label="Second factor values"
            description="amr or acr values in the ID token that mean the identity provider did MFA; members without one are asked for Gatehouse MFA. Empty: mfa, otp, hwk, swk, sc, fpt, face, iris, retina. Press Enter after each."
            value={mfaValues}
            onChange={setMfaValues}
            error={fieldErrors.mfaValues}
          />
          {test.data && (
            <Alert
              color={test.data.ok ? 'green' : 'red'}
              variant="light"
              title={test.data.ok ? 'Connection works' : 'Connection failed'}
              role="status"
            >
              {test.data.message}
            </Alert>
          )}
          <ProblemAlert error={test.error} />
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save single sign-on
            </Button>
            <Button
              variant="default"
              loading={test.isPending}
              disabled={issuer.trim() === ''}
              onClick={() => test.mutate()}
            >
              Test connection
            </Button>
          </Group>
        </Stack>
      </form>
      <Group mt="sm">
        <Button
          variant="outline"
          color={nextMode === 'idp' ? 'blue' : 'orange'}
          disabled={nextMode === 'idp' && !settingsSaved}
          onClick={() => setConfirmingMode(true)}
          styles={{ root: { height: 'auto', minHeight: 36 }, label: { whiteSpace: 'normal' } }}
        >
          {nextMode === 'idp' ? 'Switch members to the identity provider' : 'Switch members to Gatehouse passwords'}
        </Button>
      </Group>
      {nextMode === 'idp' && !settingsSaved && (
        <Text size="sm" c="dimmed">
          Save the issuer URL and client ID first.
        </Text>
      )}
      <ConfirmModal
        opened={confirmingMode}
        title={
          nextMode === 'idp' ? 'Members sign in through the identity provider?' : 'Members sign in with passwords?'
        }
        confirmLabel={nextMode === 'idp' ? 'Switch to the identity provider' : 'Switch to passwords'}
        onConfirm={() => switchMode.mutate()}
        onClose={() => {
          setConfirmingMode(false);
          switchMode.reset();
        }}
        loading={switchMode.isPending}
        error={switchMode.error}
        danger={nextMode === 'idp'}
      >
        {nextMode === 'idp' ? (
          <List size="sm" spacing={4}>
            <List.Item>
              Members sign in only through your identity provider; their Gatehouse passwords stop working.
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
    </Stack>
  );
}
