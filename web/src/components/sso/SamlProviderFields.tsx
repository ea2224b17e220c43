import { List, Stack, Text, Textarea } from '@mantine/core';
import type { SamlSettings } from '../../lib/sso';
import { CopyField } from './CopyField';

const formatDay = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'long' });

/**
 * The SAML half of **Single sign-on**: what to give the identity provider (metadata URL, entity ID, ACS
 * URL), what Gatehouse has of it (entity ID, sign-in URL, certificate expiry), and the metadata to paste.
 */
export function SamlProviderFields({
  saml,
  metadataXml,
  onMetadataChange,
  error,
}: {
  saml: SamlSettings;
  metadataXml: string;
  onMetadataChange: (xml: string) => void;
  error?: string | undefined;
}) {
  return (
    <Stack gap="sm">
      <CopyField label="Metadata URL" value={saml.metadataUrl} copyLabel="Copy the metadata URL" />
      <CopyField label="Entity ID (audience)" value={saml.spEntityId} copyLabel="Copy the entity ID" />
      <CopyField label="Assertion consumer service URL" value={saml.acsUrl} copyLabel="Copy the ACS URL" />
      <Text size="xs" c="dimmed">
        Add Gatehouse to your identity provider as a SAML application: give it the metadata URL, or the entity ID and
        the assertion consumer service URL. Sign the assertions, send a persistent NameID and an email attribute.
      </Text>
      {saml.configured && (
        <Stack gap={4} aria-label="Identity provider in use">
          <Text size="sm" fw={600}>
            Identity provider in use
          </Text>
          <List size="sm" spacing={2}>
            <List.Item>Entity ID: {saml.idpEntityId}</List.Item>
            <List.Item>Sign-in URL: {saml.ssoUrl}</List.Item>
            {saml.certificateExpiry.map((expiry, index) => (
              <List.Item key={`${expiry}-${index}`}>Signing certificate valid until {formatDay(expiry)}</List.Item>
            ))}
          </List>
        </Stack>
      )}
      <Textarea
        label="Identity provider metadata (XML)"
        description={
          saml.configured
            ? 'Saved. Paste new metadata here to replace it, for example when the identity provider rolls its certificate.'
            : 'Download the metadata XML from your identity provider and paste it here.'
        }
        placeholder='<EntityDescriptor entityID="…">'
        autosize
        minRows={4}
        maxRows={12}
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        value={metadataXml}
        onChange={(event) => onMetadataChange(event.currentTarget.value)}
        error={error}
      />
    </Stack>
  );
}
