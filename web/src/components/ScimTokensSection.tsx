import { useState } from 'react';
import { Alert, Button, Code, CopyButton, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDateTime } from '../lib/format';
import { splitFieldProblems } from '../lib/problems';
import { scimTokensApi, scimTokensKey, type ScimToken } from '../lib/scimTokens';
import { toastSuccess } from '../lib/toast';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { useIdentityConfirmation } from './ConfirmIdentity';
import { useMe } from '../lib/me';

function CopyValueButton({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button variant="default" onClick={copy} aria-label={label}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

/**
 * **SCIM tokens** on Workspace settings (SPEC §2b): the SCIM base URL to copy into the identity provider, a
 * token created by name and shown once, the tokens with when they were created and last used, and
 * **Revoke** after a confirmation.
 */
export function ScimTokensSection() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: scimTokensKey, queryFn: scimTokensApi.list });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<ScimToken | null>(null);
  const confirmed = useIdentityConfirmation();
  // A token can make and unmake admins: only the owner creates one (the server decides; this mirrors it).
  const mayCreate = useMe().user.role === 'owner';

  const create = useMutation({
    mutationFn: (tokenName: string) => confirmed(() => scimTokensApi.create(tokenName), 'Creating a SCIM token'),
    onSuccess: async (result) => {
      setCreated({ name: result.scimToken.name, token: result.token });
      setName('');
      await queryClient.invalidateQueries({ queryKey: scimTokensKey });
    },
  });
  const revoke = useMutation({
    mutationFn: (token: ScimToken) => scimTokensApi.revoke(token.id),
    onSuccess: async (_result, token) => {
      setRevoking(null);
      toastSuccess(`The SCIM token “${token.name}” is revoked; the identity provider can no longer use it.`);
      await queryClient.invalidateQueries({ queryKey: scimTokensKey });
    },
  });
  const { fieldErrors, other } = splitFieldProblems(create.error, ['name']);

  return (
    <Stack component="section" aria-labelledby="scim-tokens-heading" gap="sm" mt="xl">
      <Title order={2} id="scim-tokens-heading">
        SCIM tokens
      </Title>
      <Text c="dimmed" size="sm">
        Your identity provider (Okta, Microsoft Entra ID…) creates, updates and deactivates members through SCIM. Give
        it the SCIM base URL and a token. Members it adds to the group “Gatehouse admins” become admins.
      </Text>
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ProblemAlert error={tokens.error} />
      ) : (
        <>
          <Group align="end" wrap="nowrap">
            <TextInput label="SCIM base URL" value={tokens.data.scimUrl} readOnly style={{ flex: 1, minWidth: 0 }} />
            <CopyValueButton value={tokens.data.scimUrl} label="Copy the SCIM base URL" />
          </Group>
          {created && (
            <Alert color="yellow" variant="light" title={`Token “${created.name}” created: shown once`}>
              <Stack gap="xs">
                <Text size="sm">
                  Copy it into your identity provider now; Gatehouse keeps only a fingerprint of it.
                </Text>
                <Code block aria-label="New SCIM token" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
                  {created.token}
                </Code>
                <Group>
                  <CopyValueButton value={created.token} label="Copy the new SCIM token" />
                  <Button variant="subtle" onClick={() => setCreated(null)}>
                    Done
                  </Button>
                </Group>
              </Stack>
            </Alert>
          )}
          {!mayCreate && <Text size="sm">Only the workspace owner creates SCIM tokens.</Text>}
          <form
            hidden={!mayCreate}
            onSubmit={(event) => {
              event.preventDefault();
              create.mutate(name);
            }}
          >
            <Stack gap="xs">
              <ProblemAlert error={create.error} other={other} />
              <Group align="flex-end" wrap="wrap">
                <TextInput
                  label="Token name"
                  placeholder="e.g. Okta"
                  value={name}
                  onChange={(event) => {
                    setName(event.currentTarget.value);
                    create.reset();
                  }}
                  error={fieldErrors.name}
                  style={{ flex: 1, minWidth: '12rem' }}
                />
                <Button type="submit" loading={create.isPending}>
                  Create token
                </Button>
              </Group>
            </Stack>
          </form>
          {tokens.data.tokens.length === 0 ? (
            <Text size="sm">No SCIM token yet.</Text>
          ) : (
            <Stack
              gap="xs"
              component="ul"
              aria-label="SCIM tokens"
              style={{ listStyle: 'none', padding: 0, margin: 0 }}
            >
              {tokens.data.tokens.map((token) => (
                <Paper component="li" withBorder p="sm" key={token.id} aria-label={token.name}>
                  <Group justify="space-between" wrap="wrap" gap="xs">
                    <Stack gap={2} style={{ minWidth: 0 }}>
                      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                        {token.name}
                      </Text>
                      <Text size="sm" c="dimmed">
                        Created {formatDateTime(token.createdAt)}
                        {token.createdBy ? ` by ${token.createdBy}` : ''} · Last used{' '}
                        {token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}
                      </Text>
                    </Stack>
                    <Button variant="default" color="red" onClick={() => setRevoking(token)}>
                      Revoke
                    </Button>
                  </Group>
                </Paper>
              ))}
            </Stack>
          )}
        </>
      )}
      <ConfirmModal
        opened={revoking !== null}
        title="Revoke SCIM token"
        confirmLabel="Revoke token"
        danger
        loading={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <Text size="sm">
          The identity provider using “{revoking?.name}” can no longer create, change or deactivate members until you
          give it a new token.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
