import { Alert, Anchor, Button, CopyButton, Group, Paper, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { accountsApi, type AccountDetail, type TotpCode } from '../../lib/accounts';
import { useMe } from '../../lib/me';
import { isProblemType } from '../../lib/mfa';
import { ProblemAlert } from '../ProblemAlert';

function secondsLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
}

/** Ticks once a second while a code is shown, so the countdown moves. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * **Log in** (SPEC §7): opens the login page in a new tab and shows the current TOTP code, which the
 * server computes (the secret never reaches the page). The password is not shown here: only a client
 * app on a trusted device receives it, for autofill.
 */
export function LogInPanel({ account }: { account: AccountDetail }) {
  const me = useMe();
  const [code, setCode] = useState<TotpCode | null>(null);
  const now = useNow(code !== null);
  const getCode = useMutation({
    mutationFn: () => accountsApi.totpCode(account.id),
    onSuccess: setCode,
    onError: () => setCode(null),
  });

  function logIn() {
    // Opened during the click itself, so that the browser does not take it for an unwanted pop-up.
    // An untrusted session gets no code: the server says so, and the login page is not opened for nothing.
    if (account.loginUrl && (me.assurance.trusted || !account.hasTotp)) {
      window.open(account.loginUrl, '_blank', 'noopener,noreferrer');
    }
    if (account.hasTotp) getCode.mutate();
  }

  const remaining = code ? secondsLeft(code.expiresAt, now) : 0;
  const notSecure = isProblemType(getCode.error, 'trusted-session-required');
  if (!account.loginUrl && !account.hasTotp) return null;

  return (
    <Stack gap="sm">
      <Group>
        <Button onClick={logIn} loading={getCode.isPending}>
          Log in
        </Button>
      </Group>
      {notSecure ? (
        <Alert color="yellow" variant="light" title="Your current session is not secure" role="alert">
          TOTP codes are given only to a trusted session.{' '}
          <Anchor component={Link} to="/app/trusted-session" size="sm">
            Set up a trusted session
          </Anchor>
        </Alert>
      ) : (
        <ProblemAlert error={getCode.error} />
      )}
      {code && (
        <Paper withBorder p="md" maw={360}>
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              Current TOTP code
            </Text>
            <Group gap="sm" align="center">
              <Text
                component="output"
                aria-label="TOTP code"
                ff="monospace"
                fz={28}
                fw={700}
                c={remaining === 0 ? 'dimmed' : undefined}
                td={remaining === 0 ? 'line-through' : undefined}
              >
                {code.code}
              </Text>
              <CopyButton value={code.code}>
                {({ copied, copy }) => (
                  <Button
                    size="xs"
                    variant="light"
                    onClick={copy}
                    aria-label={copied ? 'Copied TOTP code' : 'Copy TOTP code'}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="sm" aria-live="polite">
              {remaining > 0 ? `Expires in ${remaining} s` : 'This code has expired. Press Log in for a new one.'}
            </Text>
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
