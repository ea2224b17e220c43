import { Button, Group, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import type { SsoSettings } from '../../lib/sso';
import { ProblemAlert } from '../ProblemAlert';
import { CopyField } from './CopyField';

export interface OidcClientValues {
  issuer: string;
  clientId: string;
  clientSecret: string;
  clientAuthentication: SsoSettings['clientAuthentication'];
}

/**
 * The OpenID Connect half of **Single sign-on**: the redirect URI to register, the issuer and client,
 * how Gatehouse authenticates at the token endpoint (a write-only secret, or a signing key whose JWKS
 * URL is published), as the form's controlled fields.
 */
export function OidcClientFields({
  settings,
  values,
  onChange,
  errors,
  keyRotation,
  secretRemoval,
}: {
  settings: SsoSettings;
  values: OidcClientValues;
  onChange: (changes: Partial<OidcClientValues>) => void;
  errors: Partial<Record<keyof OidcClientValues, string>>;
  keyRotation: { run: () => void; pending: boolean; error: unknown };
  secretRemoval: { run: () => void; pending: boolean };
}) {
  const keyInUse = settings.jwksUrl && settings.clientAuthentication === 'private_key_jwt';
  return (
    <Stack gap="sm">
      <CopyField label="Redirect URI" value={settings.redirectUri} copyLabel="Copy the redirect URI" />
      <Text size="xs" c="dimmed">
        Register Gatehouse at your identity provider as a web application with this redirect URI, then fill in what it
        gives you.
      </Text>
      <TextInput
        label="Issuer URL"
        placeholder="https://login.example.com"
        value={values.issuer}
        onChange={(event) => onChange({ issuer: event.currentTarget.value })}
        error={errors.issuer}
      />
      <TextInput
        label="Client ID"
        value={values.clientId}
        onChange={(event) => onChange({ clientId: event.currentTarget.value })}
        error={errors.clientId}
      />
      <Select
        label="Client authentication"
        description="How Gatehouse proves who it is when it collects the sign-in at your identity provider."
        data={[
          { value: 'client_secret_basic', label: 'Client secret (HTTP Basic)' },
          { value: 'client_secret_post', label: 'Client secret (in the request body)' },
          { value: 'private_key_jwt', label: 'Signed JWT with a Gatehouse key (private_key_jwt)' },
        ]}
        value={values.clientAuthentication}
        onChange={(value) =>
          value && onChange({ clientAuthentication: value as OidcClientValues['clientAuthentication'] })
        }
        allowDeselect={false}
        error={errors.clientAuthentication}
      />
      {keyInUse && settings.jwksUrl && (
        <>
          <CopyField label="JWKS URL" value={settings.jwksUrl} copyLabel="Copy the JWKS URL" />
          <Text size="xs" c="dimmed">
            Register this URL at your identity provider as the client&apos;s public keys. Gatehouse keeps the private
            key sealed and never shows it.
          </Text>
          <Group>
            <Button variant="subtle" size="xs" loading={keyRotation.pending} onClick={keyRotation.run}>
              Rotate key
            </Button>
          </Group>
          {settings.signingKeySwitchAt && (
            <Text size="xs" c="dimmed" role="status">
              A new key is published beside the current one. Gatehouse signs with it from{' '}
              {new Date(settings.signingKeySwitchAt).toLocaleTimeString(undefined, { timeStyle: 'short' })}, once your
              identity provider has had time to fetch it.
            </Text>
          )}
          <ProblemAlert error={keyRotation.error} />
        </>
      )}
      {values.clientAuthentication === 'private_key_jwt' && settings.clientAuthentication !== 'private_key_jwt' && (
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
        value={values.clientSecret}
        onChange={(event) => onChange({ clientSecret: event.currentTarget.value })}
        error={errors.clientSecret}
      />
      {settings.clientSecretSet && (
        <Group>
          <Button variant="subtle" color="red" size="xs" loading={secretRemoval.pending} onClick={secretRemoval.run}>
            Remove client secret
          </Button>
        </Group>
      )}
    </Stack>
  );
}
