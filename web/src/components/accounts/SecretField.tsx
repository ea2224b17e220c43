import { Button, Code, CopyButton, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { accountsApi, type SecretField as Field } from '../../lib/accounts';
import { useIdentityConfirmation } from '../ConfirmIdentity';
import { ProblemAlert } from '../ProblemAlert';

const fieldLabel: Record<Field, string> = { password: 'password', totpSecret: 'TOTP secret' };
const revealedName: Record<Field, string> = { password: 'a password', totpSecret: 'a TOTP secret' };

/**
 * An owner's **Reveal** of the password or TOTP secret, after **Confirm your identity**. Only rendered for
 * owners: other roles never ask the server for a secret.
 */
export function SecretField({ accountId, field }: { accountId: string; field: Field }) {
  const confirmed = useIdentityConfirmation();
  const [value, setValue] = useState<string | null>(null);
  const reveal = useMutation({
    mutationFn: () => confirmed(() => accountsApi.reveal(accountId, field), `Revealing ${revealedName[field]}`),
    onSuccess: (result) => setValue(result.value),
  });
  const label = fieldLabel[field];

  return (
    <>
      <Group gap="sm" wrap="wrap">
        {value === null ? (
          <Text ff="monospace" aria-label={`Hidden ${label}`}>
            ••••••••
          </Text>
        ) : (
          <Code fz="sm" aria-label={`Revealed ${label}`} style={{ overflowWrap: 'anywhere' }}>
            {value}
          </Code>
        )}
        {value === null ? (
          <Button
            size="xs"
            variant="light"
            loading={reveal.isPending}
            onClick={() => reveal.mutate()}
            aria-label={`Reveal ${label}`}
          >
            Reveal
          </Button>
        ) : (
          <>
            <CopyButton value={value}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy} aria-label={`${copied ? 'Copied' : 'Copy'} ${label}`}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
            <Button size="xs" variant="default" onClick={() => setValue(null)} aria-label={`Hide ${label}`}>
              Hide
            </Button>
          </>
        )}
      </Group>
      <ProblemAlert error={reveal.error} />
    </>
  );
}
