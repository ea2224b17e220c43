import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Radio, Stack, Switch, TagsInput, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { splitFieldProblems } from '../lib/problems';
import { samlSettingsKey, ssoApi, ssoSettingsKey, type SamlSettings, type SsoSettings } from '../lib/sso';
import { toastSuccess } from '../lib/toast';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { OidcClientFields, type OidcClientValues } from './sso/OidcClientFields';
import { SamlProviderFields } from './sso/SamlProviderFields';
import { SignInModeSwitch } from './sso/SignInModeSwitch';

type Protocol = SsoSettings['protocol'];

const MFA_DESCRIPTIONS: Record<Protocol, string> = {
  oidc: 'amr or acr values in the ID token that mean the identity provider did MFA; members without one are asked for Gatehouse MFA. Empty: mfa, otp, hwk, swk, sc, fpt, face, iris, retina. Press Enter after each.',
  saml: 'AuthnContextClassRef values in the assertion that mean the identity provider did MFA (for example urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor); members without one are asked for Gatehouse MFA. Empty: none counts. Press Enter after each.',
};

/**
 * **Single sign-on** on Workspace settings (SPEC §2b): the identity provider members sign in through,
 * with OpenID Connect (issuer, client, write-only secret) or SAML 2.0 (pasted metadata), just-in-time
 * provisioning, the values that count as the IdP's second factor, **Test connection**, and switching how
 * members sign in after a confirmation.
 */
export function SingleSignOnSection() {
  const settings = useQuery({ queryKey: ssoSettingsKey, queryFn: ssoApi.get });
  const saml = useQuery({ queryKey: samlSettingsKey, queryFn: ssoApi.getSaml });
  const error = settings.error ?? saml.error;
  return (
    <Stack component="section" aria-labelledby="sso-heading" gap="sm" mt="xl">
      <Title order={2} id="sso-heading">
        Single sign-on
      </Title>
      <Text c="dimmed" size="sm">
        Members can sign in through your company&apos;s identity provider (Okta, Microsoft Entra ID, Keycloak…) with
        OpenID Connect or SAML 2.0. Guests always sign in with their Gatehouse username and password.
      </Text>
      {error ? (
        <ProblemAlert error={error} />
      ) : settings.isPending || saml.isPending ? (
        <Loading />
      ) : (
        <SsoForm settings={settings.data!} saml={saml.data!} />
      )}
    </Stack>
  );
}

function SsoForm({ settings, saml }: { settings: SsoSettings; saml: SamlSettings }) {
  const queryClient = useQueryClient();
  const [protocol, setProtocol] = useState<Protocol>(settings.protocol);
  const [oidc, setOidc] = useState<OidcClientValues>(() => oidcValuesOf(settings));
  const [metadataXml, setMetadataXml] = useState('');
  const [jit, setJit] = useState(settings.jitProvisioning);
  const [mfaValues, setMfaValues] = useState<string[]>(settings.mfaValues ?? []);
  useEffect(() => {
    setProtocol(settings.protocol);
    setOidc((current) => ({ ...oidcValuesOf(settings), clientSecret: current.clientSecret }));
    setJit(settings.jitProvisioning);
    setMfaValues(settings.mfaValues ?? []);
  }, [settings]);

  const saved = async (next: SsoSettings) => {
    queryClient.setQueryData(ssoSettingsKey, next);
    await queryClient.invalidateQueries({ queryKey: samlSettingsKey });
  };
  const save = useMutation({
    mutationFn: () =>
      ssoApi.save(
        protocol === 'saml'
          ? {
              protocol,
              jitProvisioning: jit,
              mfaValues,
              ...(metadataXml.trim() === '' ? {} : { samlMetadataXml: metadataXml }),
            }
          : {
              protocol,
              issuer: oidc.issuer,
              clientId: oidc.clientId,
              jitProvisioning: jit,
              mfaValues,
              clientAuthentication: oidc.clientAuthentication,
              ...(oidc.clientSecret === '' ? {} : { clientSecret: oidc.clientSecret }),
            },
      ),
    onSuccess: async (next) => {
      await saved(next);
      setOidc((current) => ({ ...current, clientSecret: '' }));
      setMetadataXml('');
      toastSuccess('Single sign-on settings saved.');
    },
  });
  const removeSecret = useMutation({ mutationFn: () => ssoApi.save({ clientSecret: '' }), onSuccess: saved });
  const rotateKey = useMutation({
    mutationFn: () => ssoApi.save({ rotateSigningKey: true }),
    onSuccess: async (next) => {
      await saved(next);
      toastSuccess('New signing key published at the JWKS URL. Gatehouse starts signing with it in 10 minutes.');
    },
  });
  const test = useMutation({
    mutationFn: () =>
      ssoApi.test(
        protocol === 'saml'
          ? { protocol, ...(metadataXml.trim() === '' ? {} : { metadataXml }) }
          : { protocol, issuer: oidc.issuer },
      ),
  });
  const { fieldErrors, other } = splitFieldProblems(save.error, {
    issuer: 'issuer',
    clientId: 'clientId',
    clientSecret: 'clientSecret',
    mfaValues: 'mfaValues',
    clientAuthentication: 'clientAuthentication',
    samlMetadataXml: 'samlMetadataXml',
  });
  const testable = protocol === 'saml' ? metadataXml.trim() !== '' || saml.configured : oidc.issuer.trim() !== '';

  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          Members sign in
        </Text>
        <Badge variant="light" color={settings.mode === 'idp' ? 'blue' : 'gray'}>
          {settings.mode === 'idp'
            ? `through the identity provider (${settings.protocol === 'saml' ? 'SAML 2.0' : 'OpenID Connect'})`
            : 'with Gatehouse passwords'}
        </Badge>
      </Group>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          <ProblemAlert error={save.error} other={other} />
          <Radio.Group
            label="Protocol"
            value={protocol}
            onChange={(value) => {
              setProtocol(value as Protocol);
              test.reset();
            }}
          >
            <Group mt={4}>
              <Radio value="oidc" label="OpenID Connect" />
              <Radio value="saml" label="SAML 2.0" />
            </Group>
          </Radio.Group>
          {protocol === 'saml' ? (
            <SamlProviderFields
              saml={saml}
              metadataXml={metadataXml}
              onMetadataChange={(xml) => {
                setMetadataXml(xml);
                test.reset();
              }}
              error={fieldErrors.samlMetadataXml}
            />
          ) : (
            <OidcClientFields
              settings={settings}
              values={oidc}
              onChange={(changes) => {
                setOidc((current) => ({ ...current, ...changes }));
                if (changes.issuer !== undefined) test.reset();
              }}
              errors={fieldErrors}
              keyRotation={{ run: () => rotateKey.mutate(), pending: rotateKey.isPending, error: rotateKey.error }}
              secretRemoval={{ run: () => removeSecret.mutate(), pending: removeSecret.isPending }}
            />
          )}
          <Switch
            label="Just-in-time provisioning"
            description="Someone your identity provider vouches for, with a verified email in one of the workspace's verified domains, becomes a member the first time they sign in. Off: an admin invites them first."
            checked={jit}
            onChange={(event) => setJit(event.currentTarget.checked)}
          />
          <TagsInput
            label="Second factor values"
            description={MFA_DESCRIPTIONS[protocol]}
            value={mfaValues}
            onChange={setMfaValues}
            error={fieldErrors.mfaValues}
          />
          {test.data && (
            <Alert
              color={test.data.ok ? 'green' : 'red'}
              variant="light"
              title={
                protocol === 'saml'
                  ? test.data.ok
                    ? 'Metadata works'
                    : 'Metadata cannot be used'
                  : test.data.ok
                    ? 'Connection works'
                    : 'Connection failed'
              }
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
            <Button variant="default" loading={test.isPending} disabled={!testable} onClick={() => test.mutate()}>
              Test connection
            </Button>
          </Group>
        </Stack>
      </form>
      <SignInModeSwitch settings={settings} />
    </Stack>
  );
}

function oidcValuesOf(settings: SsoSettings): OidcClientValues {
  return {
    issuer: settings.issuer ?? '',
    clientId: settings.clientId ?? '',
    clientSecret: '',
    clientAuthentication: settings.clientAuthentication,
  };
}
