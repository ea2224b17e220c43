import { Alert, Anchor, Button, CopyButton, Group, Paper, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { accountsApi, type AccountDetail, type TotpCode } from '../../lib/accounts';
import { useMe } from '../../lib/me';
import { isProblemType } from '../../lib/mfa';
import { ProblemAlert } from '../ProblemAlert';

function secondsUntil(moment: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(moment) - now) / 1000));
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

/** The codes as issued, with how far this computer's clock is from the server's, so countdowns follow the server. */
interface IssuedCodes {
  codes: TotpCode;
  serverOffsetMs: number;
}

/**
 * **Log in** (SPEC §7): opens the login page in a new tab and shows the current TOTP code, which the
 * server computes (the secret never reaches the page); near the end of a code's 30 seconds the server
 * sends the next one too, and both show with their countdowns. The password is not shown here: only a
 * client app on a trusted device receives it, for autofill.
 *
 * The login tab is opened once per visit of the account's page: pressing **Log in** again gives a new
 * code without stacking another tab (a named target would reuse it, but only by keeping the login
 * site's window.opener to this page and relaxing Cross-Origin-Opener-Policy; see docs/decisions.md).
 */
export function LogInPanel({ account }: { account: AccountDetail }) {
  const me = useMe();
  const [issued, setIssued] = useState<IssuedCodes | null>(null);
  const [loginTabOpened, setLoginTabOpened] = useState(false);
  const now = useNow(issued !== null) + (issued?.serverOffsetMs ?? 0);
  const getCode = useMutation({
    mutationFn: () => accountsApi.totpCode(account.id),
    onSuccess: (codes) => setIssued({ codes, serverOffsetMs: Date.parse(codes.serverTime) - Date.now() }),
    onError: () => setIssued(null),
  });

  function logIn() {
    // Opened during the click itself, so that the browser does not take it for an unwanted pop-up.
    // An untrusted session gets no code: the server says so, and the login page is not opened for nothing.
    if (account.loginUrl && !loginTabOpened && (me.assurance.trusted || !account.hasTotp)) {
      window.open(account.loginUrl, '_blank', 'noopener,noreferrer');
      setLoginTabOpened(true);
    }
    if (account.hasTotp) getCode.mutate();
  }

  const notSecure = isProblemType(getCode.error, 'trusted-session-required');
  if (!account.loginUrl && !account.hasTotp) return null;
  const codes = issued?.codes;
  const currentLeft = codes ? secondsUntil(codes.expiresAt, now) : 0;
  const next = codes?.next ?? null;

  return (
    <Stack gap="sm">
      <Group>
        <Button onClick={logIn} loading={getCode.isPending}>
          Log in
        </Button>
        {loginTabOpened && account.loginUrl && (
          <Text size="sm">
            The login page is open in another tab.{' '}
            <Anchor href={account.loginUrl} target="_blank" rel="noopener noreferrer">
              Open it again
            </Anchor>
          </Text>
        )}
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
      {codes && (
        <Group align="stretch" gap="sm">
          <CodeCard
            heading="Current TOTP code"
            label="TOTP code"
            code={codes.code}
            expired={currentLeft === 0}
            countdown={
              currentLeft > 0
                ? `Expires in ${currentLeft} s`
                : next
                  ? 'This code has expired. Use the next one.'
                  : 'This code has expired. Press Log in for a new one.'
            }
          />
          {next && (
            <CodeCard
              heading="Next TOTP code"
              label="Next TOTP code"
              code={next.code}
              expired={secondsUntil(next.expiresAt, now) === 0}
              countdown={
                secondsUntil(next.validFrom, now) > 0
                  ? `Valid in ${secondsUntil(next.validFrom, now)} s, for 30 s`
                  : secondsUntil(next.expiresAt, now) > 0
                    ? `Expires in ${secondsUntil(next.expiresAt, now)} s`
                    : 'This code has expired. Press Log in for a new one.'
              }
            />
          )}
        </Group>
      )}
    </Stack>
  );
}

function CodeCard({
  heading,
  label,
  code,
  expired,
  countdown,
}: {
  heading: string;
  label: string;
  code: string;
  expired: boolean;
  countdown: string;
}) {
  return (
    <Paper withBorder p="md" miw={220} style={{ flex: '1 1 220px', maxWidth: 360 }}>
      <Stack gap={4}>
        <Text size="sm" c="dimmed">
          {heading}
        </Text>
        <Group gap="sm" align="center">
          <Text
            component="output"
            aria-label={label}
            ff="monospace"
            fz={28}
            fw={700}
            c={expired ? 'dimmed' : undefined}
            td={expired ? 'line-through' : undefined}
          >
            {code}
          </Text>
          <CopyButton value={code}>
            {({ copied, copy }) => (
              <Button
                size="xs"
                variant="light"
                onClick={copy}
                aria-label={copied ? `Copied ${label}` : `Copy ${label}`}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm" aria-live="polite">
          {countdown}
        </Text>
      </Stack>
    </Paper>
  );
}
